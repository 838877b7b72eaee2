import { randomBytes } from 'node:crypto';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { TestClient } from '@medgenie/testing';
import { createControlPlaneApp } from '../src/app.factory';
import { loadControlPlaneConfig } from '../src/config/control-plane.config';
import { ProvisioningWorker } from '../src/signup/provisioning.worker';
import { StubRegion } from './stub-region';

export function cpDb() {
  const get = (key: string) => {
    const v = process.env[key];
    if (!v) throw new Error(`${key} is not set: the control-plane test global setup did not run`);
    return v;
  };
  return { adminUrl: get('MG_CP_TEST_DB_ADMIN_URL'), appUrl: get('MG_CP_TEST_DB_APP_URL') };
}

export interface TestControlPlane {
  app: NestFastifyApplication;
  client: TestClient;
  regions: Record<string, StubRegion>;
  gatewayToken: string;
  platformAdmin: { email: string; password: string };
  /** Runs one pass of the provisioning worker now. */
  tick(): Promise<void>;
  close(): Promise<void>;
}

export const PASSWORD = 'correct horse battery staple';

let counter = 0;
/** Unique per test run and worker, so tests sharing the database never collide. */
export function unique(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid.toString(36)}${counter.toString(36)}${randomBytes(2).toString('hex')}`;
}

export async function startTestControlPlane(env: Record<string, string> = {}): Promise<TestControlPlane> {
  const regions = { in: await new StubRegion().start(), ca: await new StubRegion().start(), us: await new StubRegion().start() };
  const tokens = Object.fromEntries(Object.keys(regions).map((id) => [id, randomBytes(24).toString('hex')]));
  const gatewayToken = randomBytes(24).toString('hex');
  const platformAdmin = { email: `${unique('root')}@medgenie.test`, password: 'platform admin password 1' };
  const config = loadControlPlaneConfig({
    DATABASE_URL: cpDb().appUrl,
    KEY_ENCRYPTION_SECRET: 'test-key-encryption-secret-of-32-chars!',
    JWT_ISSUER: 'https://console.medgenie.test',
    REGION_SERVICE_TOKENS: JSON.stringify(tokens),
    REGION_API_URLS: JSON.stringify(Object.fromEntries(Object.entries(regions).map(([id, r]) => [id, r.url]))),
    REGION_TIMEOUT_MS: '1000',
    GATEWAY_SERVICE_TOKEN: gatewayToken,
    PROVISIONING_RETRY_MS: '600000', // tests drive the worker with tick()
    // Tests share one database: no instance sweeps the mail outbox on its own (another's messages
    // would be sent by its transport); a test that needs a sweep calls MailOutbox.drain().
    MAIL_RETRY_INTERVAL_SECONDS: '3600',
    PLATFORM_ADMIN_EMAIL: platformAdmin.email,
    PLATFORM_ADMIN_PASSWORD: platformAdmin.password,
    // Tests sign the platform admin in with its password; mfa.int-spec.ts turns the requirement on.
    PLATFORM_ADMIN_MFA_REQUIRED: 'false',
    ARGON2_MEMORY_KIB: '4096',
    ARGON2_TIME_COST: '1',
    LOCKOUT_BASE_SECONDS: '2',
    // Tests log in often from one address: generous limits, unless a test sets the real ones.
    LOGIN_RATE_PER_ADDRESS: '100000',
    LOGIN_BURST_PER_ADDRESS: '100000',
    LOGIN_RATE_PER_ACCOUNT: '100000',
    LOGIN_BURST_PER_ACCOUNT: '100000',
    SIGNUP_RATE_PER_ADDRESS: '1000000',
    SIGNUP_BURST_PER_ADDRESS: '100000',
    PASSWORD_RESET_RATE_PER_ADDRESS: '1000000',
    PASSWORD_RESET_BURST_PER_ADDRESS: '100000',
    PASSWORD_RESET_RATE_PER_ACCOUNT: '1000000',
    PASSWORD_RESET_BURST_PER_ACCOUNT: '100000',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const app = await createControlPlaneApp(config);
  return {
    app,
    client: new TestClient(app.getHttpAdapter().getInstance()),
    regions,
    gatewayToken,
    platformAdmin,
    tick: () => app.get(ProvisioningWorker).tick(),
    close: async () => {
      await app.close();
      await Promise.all(Object.values(regions).map((r) => r.stop()));
    },
  };
}

export function signupBody(overrides: Record<string, unknown> = {}) {
  const slug = unique('org').toLowerCase();
  return {
    organizationName: `Org ${slug}`,
    slug,
    regionId: 'in',
    adminName: 'Asha Admin',
    adminEmail: `${slug}@example.test`,
    adminPassword: PASSWORD,
    clinicName: 'Main Clinic',
    ...overrides,
  };
}
