import { prepareTestDatabase, startTestAzurite, startTestPostgres, TestAzurite, TestPostgres } from '@medgenie/testing';
import { migrateRegionalDatabase } from '../src/database/data-source';

declare global {
  var __MG_REGIONAL_PG__: TestPostgres | undefined;
  var __MG_REGIONAL_AZURITE__: TestAzurite | undefined;
}

/**
 * One Postgres with one migrated regional database, and one Azurite (the region's blob store),
 * for the run; each test makes its own orgs (and so its own blob containers).
 */
export default async function globalSetup(): Promise<void> {
  const [pg, azurite] = await Promise.all([startTestPostgres(), startTestAzurite()]);
  globalThis.__MG_REGIONAL_PG__ = pg;
  globalThis.__MG_REGIONAL_AZURITE__ = azurite;
  process.env.MG_TEST_BLOB_CONNECTION_STRING = azurite.connectionString;
  process.env.MG_TEST_BLOB_ACCOUNT_URL = azurite.accountUrl;
  const db = await prepareTestDatabase(pg, `${pg.baseName}_regional`, migrateRegionalDatabase);
  process.env.MG_TEST_PG_ADMIN_URL = pg.adminUrl;
  process.env.MG_TEST_DB_NAME = db.name;
  process.env.MG_TEST_DB_ADMIN_URL = db.adminUrl;
  process.env.MG_TEST_DB_OWNER_URL = db.ownerUrl;
  process.env.MG_TEST_DB_APP_URL = db.appUrl;
  process.env.MG_TEST_DB_OPS_URL = db.opsUrl;
}
