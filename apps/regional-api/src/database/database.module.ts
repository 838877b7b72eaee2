import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createPostgresDataSource, TransactionHost, usePreparedStatements } from '@medgenie/database';
import { REGIONAL_CONFIG, RegionalConfig } from '../config/regional.config';
import { regionalMigrations } from '../migrations';
import { migrateRegionalDatabase } from './data-source';
import { regionalEntities } from './entities';
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
        // The request pool: every wait on the database is bounded (see DATABASE_*_TIMEOUT_MS), so a
        // database that is down, frozen or locked answers 503 within about a second.
        const dataSource = createPostgresDataSource({
          url: config.database.url,
          entities: regionalEntities,
          migrations: regionalMigrations,
          applicationName: 'medgenie-regional-api',
          poolSize: config.database.poolSize,
          poolTimeoutMs: config.database.poolTimeoutMs,
          statementTimeoutMs: config.database.statementTimeoutMs,
          lockTimeoutMs: config.database.lockTimeoutMs,
          queryTimeoutMs: config.database.queryTimeoutMs,
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
