import { DataSource, MixedList, EntitySchema } from 'typeorm';
import { WatchdogClient } from './watchdog-client';

export interface PostgresDataSourceOptions {
  url: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  applicationName: string;
  poolSize?: number;
  /**
   * How long a caller waits for a pooled connection, opening a new one included (pg-pool's
   * `connectionTimeoutMillis` bounds both), before the error that maps to 503. Default 5 s.
   */
  poolTimeoutMs?: number;
  /**
   * How long a pooled connection may stay idle before it is closed. Default 5 min; 0: never. pg's
   * own default (10 s) closes the connections a pool did not need for a few seconds, even under
   * steady load (it hands out the most recently used first), so the next burst waits for new
   * Postgres backends, whose first transactions are slow while their caches are cold.
   */
  poolIdleTimeoutMs?: number;
  /** Server side: a statement running longer is cancelled (SQLSTATE 57014). Default 15 s; 0: off. */
  statementTimeoutMs?: number;
  /** Server side: a statement waiting longer for a lock fails (SQLSTATE 55P03). Default 0: off (the statement timeout bounds it). */
  lockTimeoutMs?: number;
  /**
   * Client side: a query whose answer has not come after this long ends its connection, which is
   * destroyed, never pooled again (`WatchdogClient`). This is what fails a query on a server that
   * does not answer at all, where the server-side timeouts cannot fire. Keep it above the
   * statement timeout. Default: the statement timeout plus 1 s (off when that is off).
   */
  queryTimeoutMs?: number;
}

/** A Postgres DataSource as every MedGenie app uses it. `synchronize` stays off: migrations own the schema. */
export function createPostgresDataSource(options: PostgresDataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: options.entities,
    migrations: options.migrations,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName: options.applicationName,
    extra: poolOptions(options),
  });
}

/** The pg-pool (and pg Client) options behind `createPostgresDataSource`. */
export function poolOptions(options: Pick<PostgresDataSourceOptions, 'poolSize' | 'poolTimeoutMs' | 'poolIdleTimeoutMs' | 'statementTimeoutMs' | 'lockTimeoutMs' | 'queryTimeoutMs'>) {
  const statementTimeoutMs = options.statementTimeoutMs ?? 15_000;
  const queryTimeoutMs = options.queryTimeoutMs ?? (statementTimeoutMs > 0 ? statementTimeoutMs + 1_000 : 0);
  return {
    max: options.poolSize ?? 10,
    Client: WatchdogClient,
    connectionTimeoutMillis: options.poolTimeoutMs ?? 5_000,
    idleTimeoutMillis: options.poolIdleTimeoutMs ?? 300_000,
    // Sent as startup parameters; 0 sends nothing (the server's setting applies).
    statement_timeout: statementTimeoutMs,
    lock_timeout: options.lockTimeoutMs ?? 0,
    idle_in_transaction_session_timeout: 60_000,
    queryWatchdogMillis: queryTimeoutMs,
  };
}

/** Runs pending migrations (as the owner role), each in its own transaction. */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}
