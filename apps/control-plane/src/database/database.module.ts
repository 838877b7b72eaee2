import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';
import { createControlPlaneDataSource, migrateControlPlaneDatabase } from './data-source';

@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [CONTROL_PLANE_CONFIG],
      useFactory: async (config: ControlPlaneConfig) => {
        if (config.database.migrateOnStart) {
          if (!config.database.ownerUrl) throw new Error('MIGRATE_ON_START needs DATABASE_OWNER_URL');
          await migrateControlPlaneDatabase(config.database.ownerUrl);
        }
        return createControlPlaneDataSource(config.database.url, config.database.poolSize).initialize();
      },
    },
  ],
  exports: [DataSource],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
