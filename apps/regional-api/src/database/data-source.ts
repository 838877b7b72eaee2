import { DataSource } from 'typeorm';
import { createPostgresDataSource, runMigrations } from '@medgenie/database';
import { regionalMigrations } from '../migrations';

export interface DataSourceOptions {
  url: string;
  poolSize?: number;
  statementTimeoutMs?: number;
  poolTimeoutMs?: number;
  applicationName?: string;
}

export function createRegionalDataSource(options: DataSourceOptions): DataSource {
  return createPostgresDataSource({
    ...options,
    // The API reads and writes through repositories (OrgScope); TypeORM runs the migrations only.
    entities: [],
    migrations: regionalMigrations,
    applicationName: options.applicationName ?? 'medgenie-regional-api',
  });
}

/** Runs pending migrations as the owner role. */
export function migrateRegionalDatabase(ownerUrl: string): Promise<string[]> {
  return runMigrations(createRegionalDataSource({ url: ownerUrl, poolSize: 1, applicationName: 'medgenie-regional-migrate' }));
}
