import { prepareTestDatabase, startTestPostgres, TestPostgres } from '@medgenie/testing';
import { migrateRegionalDatabase } from '../src/database/data-source';

declare global {
  var __MG_REGIONAL_PG__: TestPostgres | undefined;
}

/** One Postgres and one migrated regional database for the run; each test makes its own orgs. */
export default async function globalSetup(): Promise<void> {
  const pg = await startTestPostgres();
  globalThis.__MG_REGIONAL_PG__ = pg;
  const db = await prepareTestDatabase(pg, `${pg.baseName}_regional`, migrateRegionalDatabase);
  process.env.MG_TEST_PG_ADMIN_URL = pg.adminUrl;
  process.env.MG_TEST_DB_NAME = db.name;
  process.env.MG_TEST_DB_ADMIN_URL = db.adminUrl;
  process.env.MG_TEST_DB_OWNER_URL = db.ownerUrl;
  process.env.MG_TEST_DB_APP_URL = db.appUrl;
  process.env.MG_TEST_DB_OPS_URL = db.opsUrl;
}
