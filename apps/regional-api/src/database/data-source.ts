import { DataSource } from 'typeorm';
import { regionalMigrations } from '../migrations';
import { regionalEntities } from './entities';

export interface DataSourceOptions {
  url: string;
  poolSize?: number;
  statementTimeoutMs?: number;
  poolTimeoutMs?: number;
  applicationName?: string;
}

/** The regional database as TypeORM sees it. `synchronize` stays off: migrations own the schema. */
export function createRegionalDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: regionalEntities,
    migrations: regionalMigrations,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName: options.applicationName ?? 'medgenie-regional-api',
    extra: {
      max: options.poolSize ?? 10,
      statement_timeout: options.statementTimeoutMs ?? 15_000,
      idle_in_transaction_session_timeout: 60_000,
      connectionTimeoutMillis: options.poolTimeoutMs ?? 5_000,
    },
  });
}

/** Runs pending migrations as the owner role. */
export async function migrateRegionalDatabase(ownerUrl: string): Promise<string[]> {
  const dataSource = createRegionalDataSource({ url: ownerUrl, poolSize: 1, applicationName: 'medgenie-regional-migrate' });
  await dataSource.initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await dataSource.destroy();
  }
}
