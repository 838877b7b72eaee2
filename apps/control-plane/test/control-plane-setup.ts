import { prepareTestDatabase, startTestPostgres, TestPostgres } from '@medgenie/testing';
import { migrateControlPlaneDatabase } from '../src/database/data-source';

declare global {
  var __MG_CP_PG__: TestPostgres | undefined;
}

export default async function globalSetup(): Promise<void> {
  const pg = await startTestPostgres();
  globalThis.__MG_CP_PG__ = pg;
  const db = await prepareTestDatabase(pg, `${pg.baseName}_control_plane`, migrateControlPlaneDatabase);
  process.env.MG_CP_TEST_DB_ADMIN_URL = db.adminUrl;
  process.env.MG_CP_TEST_DB_APP_URL = db.appUrl;
}
