import { randomBytes } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DestinationStream } from 'pino';
import { createTestOrg, TestClient, TestIssuer, TestOrg, TestOrgOptions, TEST_AUDIENCE, TEST_ISSUER } from '@medgenie/testing';
import { createRegionalApp, RouteInfo } from '../src/app.factory';
import { loadRegionalConfig } from '../src/config/regional.config';

export function testDb() {
  const get = (key: string): string => {
    const value = process.env[key];
    if (!value) throw new Error(`${key} is not set: the regional test global setup did not run`);
    return value;
  };
  return {
    adminUrl: get('MG_TEST_DB_ADMIN_URL'),
    ownerUrl: get('MG_TEST_DB_OWNER_URL'),
    appUrl: get('MG_TEST_DB_APP_URL'),
    opsUrl: get('MG_TEST_DB_OPS_URL'),
    pgAdminUrl: get('MG_TEST_PG_ADMIN_URL'),
    name: get('MG_TEST_DB_NAME'),
  };
}

/** The run's Azurite (started by the global setup): every test region's blob store. */
export function testBlob() {
  const connectionString = process.env.MG_TEST_BLOB_CONNECTION_STRING;
  const accountUrl = process.env.MG_TEST_BLOB_ACCOUNT_URL;
  if (!connectionString || !accountUrl) throw new Error('MG_TEST_BLOB_* is not set: the regional test global setup did not run');
  return { connectionString, accountUrl };
}

export interface TestRegion {
  regionId: string;
  app: NestFastifyApplication;
  routes: RouteInfo[];
  client: TestClient;
  issuer: TestIssuer;
  serviceToken: string;
  createOrg(options?: Partial<TestOrgOptions>): Promise<TestOrg>;
  close(): Promise<void>;
}

/**
 * The database waits of a suite about races (one winner among requests fired at once) made
 * unbounded for the test: the losers wait on the winner's row, key or constraint, and on a
 * loaded CI machine the winner's transaction can outlast the production 500 ms lock timeout,
 * which answers a loser 503 (a bounded wait, as designed, that says nothing of the race).
 * Suites about the bounds themselves (database-frozen, org-connections) keep the defaults.
 */
export const RACE_ENV: Readonly<Record<string, string>> = {
  DATABASE_POOL_TIMEOUT_MS: '30000',
  DATABASE_LOCK_TIMEOUT_MS: '30000',
  DATABASE_STATEMENT_TIMEOUT_MS: '30000',
  DATABASE_QUERY_TIMEOUT_MS: '60000',
};

export interface TestRegionOptions {
  regionId?: string;
  databaseUrl?: string;
  poolSize?: number;
  issuer?: TestIssuer;
  env?: Record<string, string>;
  logStream?: DestinationStream;
}

/** A regional API in process, on the migrated test database, trusting a test issuer. */
export async function startTestRegion(options: TestRegionOptions = {}): Promise<TestRegion> {
  const regionId = options.regionId ?? 'in';
  const issuer = options.issuer ?? (await TestIssuer.create());
  const serviceToken = randomBytes(24).toString('hex');
  const config = loadRegionalConfig({
    REGION_ID: regionId,
    DATABASE_URL: options.databaseUrl ?? testDb().appUrl,
    DATABASE_POOL_SIZE: String(options.poolSize ?? 4),
    JWKS_URL: issuer.jwksUrl,
    JWT_ISSUER: TEST_ISSUER,
    JWT_AUDIENCE: TEST_AUDIENCE,
    INTERNAL_SERVICE_TOKEN: serviceToken,
    LOG_LEVEL: 'silent',
    BLOB_CONNECTION_STRING: testBlob().connectionString,
    BLOB_ACCOUNT_URL: testBlob().accountUrl,
    ...(options.env ?? {}),
  });
  const { app, routes } = await createRegionalApp(config, { logStream: options.logStream });
  const client = new TestClient(app.getHttpAdapter().getInstance());
  return {
    regionId,
    app,
    routes,
    client,
    issuer,
    serviceToken,
    createOrg: (extra = {}) => createTestOrg({ client, issuer, regionId, serviceToken, ...extra }),
    close: async () => {
      await app.close();
      if (!options.issuer) await issuer.close();
    },
  };
}
