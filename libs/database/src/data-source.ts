import { DataSource, MixedList, EntitySchema } from 'typeorm';

export interface PostgresDataSourceOptions {
  url: string;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
  applicationName: string;
  poolSize?: number;
  statementTimeoutMs?: number;
  /** How long a caller waits for a pooled connection before the error that maps to 503. */
  poolTimeoutMs?: number;
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
    extra: {
      max: options.poolSize ?? 10,
      statement_timeout: options.statementTimeoutMs ?? 15_000,
      idle_in_transaction_session_timeout: 60_000,
      connectionTimeoutMillis: options.poolTimeoutMs ?? 5_000,
    },
  });
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
