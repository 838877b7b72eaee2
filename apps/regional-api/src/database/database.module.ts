import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TransactionHost, usePreparedStatements } from '@medgenie/database';
import { REGIONAL_CONFIG, RegionalConfig } from '../config/regional.config';
import { createRegionalDataSource, migrateRegionalDatabase } from './data-source';
import { RequestTransactions } from './request-transaction.interceptor';

@Global()
@Module({
  providers: [
    {
      provide: DataSource,
      inject: [REGIONAL_CONFIG],
      useFactory: async (config: RegionalConfig) => {
        if (config.database.migrateOnStart) {
          if (!config.database.ownerUrl) throw new Error('MIGRATE_ON_START needs DATABASE_OWNER_URL');
          await migrateRegionalDatabase(config.database.ownerUrl);
        }
        const dataSource = createRegionalDataSource({
          url: config.database.url,
          poolSize: config.database.poolSize,
          statementTimeoutMs: config.database.statementTimeoutMs,
          poolTimeoutMs: config.database.poolTimeoutMs,
        });
        await dataSource.initialize();
        usePreparedStatements(dataSource, config.database.preparedStatements);
        return dataSource;
      },
    },
    TransactionHost,
    RequestTransactions,
  ],
  exports: [DataSource, TransactionHost, RequestTransactions],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(DataSource) private readonly dataSource: DataSource) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
