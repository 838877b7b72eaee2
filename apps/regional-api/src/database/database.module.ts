import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { createOrgPool, OrgScope, TransactionHost } from '@medgenie/database';
import { ErrorCode, fail } from '../common/errors';
import { REGIONAL_CONFIG, RegionalConfig } from '../config/regional.config';
import { IdempotencyRepository } from '../idempotency/idempotency.repository';
import { Clock } from '../organizations/trial';
import { migrateRegionalDatabase } from './data-source';
import { membershipPin } from './membership-pin';
import { RequestTransactions } from './request-transaction.interceptor';

/**
 * The region's database as the API uses it: one pool, reached only through `OrgScope.run`
 * (requests, internal routes and jobs alike), and `TransactionHost` handing repositories the
 * transaction of the work in progress. TypeORM serves the migrations only.
 */
@Global()
@Module({
  providers: [
    {
      provide: Pool,
      inject: [REGIONAL_CONFIG],
      useFactory: async (config: RegionalConfig) => {
        const db = config.database;
        if (db.migrateOnStart) {
          if (!db.ownerUrl) throw new Error('MIGRATE_ON_START needs DATABASE_OWNER_URL');
          await migrateRegionalDatabase(db.ownerUrl);
        }
        // Every wait on the database is bounded (see DATABASE_*_TIMEOUT_MS), so a database that is
        // down, frozen or locked answers 503 within about a second.
        return createOrgPool({
          url: db.url,
          applicationName: 'medgenie-regional-api',
          poolSize: db.poolSize,
          poolTimeoutMs: db.poolTimeoutMs,
          poolIdleTimeoutMs: db.poolIdleTimeoutMs,
          statementTimeoutMs: db.statementTimeoutMs,
          lockTimeoutMs: db.lockTimeoutMs,
          queryTimeoutMs: db.queryTimeoutMs,
        });
      },
    },
    {
      provide: OrgScope,
      inject: [Pool, REGIONAL_CONFIG],
      useFactory: (pool: Pool, config: RegionalConfig) =>
        new OrgScope(pool, {
          preparedStatements: config.database.preparedStatements,
          // No org's work holds more than its share of the pool; work over it waits its turn, bounded.
          orgMaxConnections: config.database.orgMaxConnections,
          orgWaitMs: config.database.poolTimeoutMs,
          busyError: () => fail(ErrorCode.OrganizationBusy, 'This organization has too many requests in progress in this region; retry shortly', 1),
          membershipPin,
          timeoutsPerTransaction: config.database.timeoutsPerTransaction
            ? { statementTimeoutMs: config.database.statementTimeoutMs, lockTimeoutMs: config.database.lockTimeoutMs }
            : undefined,
        }),
    },
    TransactionHost,
    RequestTransactions,
    Clock,
    IdempotencyRepository,
  ],
  exports: [OrgScope, TransactionHost, RequestTransactions, IdempotencyRepository, Clock],
})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(OrgScope) private readonly scope: OrgScope) {}

  async onApplicationShutdown(): Promise<void> {
    await this.scope.end();
  }
}
