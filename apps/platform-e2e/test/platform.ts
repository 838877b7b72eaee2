import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, TestDatabase } from '@medgenie/testing';

const ROOT = join(__dirname, '../../..');
const main = (app: string) => join(ROOT, 'dist/apps', app, 'apps', app, 'src/main.js');
const migrate = (app: string) => join(ROOT, 'dist/apps', app, 'apps', app, 'src/migrate.js');

export async function runMigrationScript(app: string, ownerUrl: string): Promise<void> {
  await promisify(execFile)(process.execPath, [migrate(app)], { env: { ...process.env, DATABASE_OWNER_URL: ownerUrl } });
}

/** The suites that run a platform of their own, each on its own databases. */
export const PLATFORM_SUITES = ['signup', 'availability'] as const;
export type PlatformSuite = (typeof PLATFORM_SUITES)[number];

export function databases(suite: PlatformSuite): Record<'control_plane' | 'region_in' | 'region_ca', TestDatabase> {
  const raw = process.env.MG_E2E_DATABASES;
  if (!raw) throw new Error('MG_E2E_DATABASES is not set: the e2e global setup did not run');
  return JSON.parse(raw)[suite];
}

/** One service as a child process of the test, restartable on the same port. */
export class Service {
  private child?: ChildProcess;
  output = '';

  constructor(
    readonly name: string,
    private readonly app: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    /** What says the service is ready: the APIs' readiness, or the gateway's own health. */
    private readonly readyPath = '/readyz',
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(process.execPath, [main(this.app)], {
      env: { ...process.env, LOG_LEVEL: 'warn', ...this.env, PORT: String(this.port), GATEWAY_PORT: String(this.port), HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (d) => (this.output += d));
    this.child.stderr?.on('data', (d) => (this.output += d));
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`${this.name} exited: ${this.output}`);
      try {
        if ((await fetch(`${this.url}${this.readyPath}`)).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${this.name} did not become ready: ${this.output}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}

export interface Platform {
  controlPlane: Service;
  regions: { in: Service; ca: Service };
  /** What a gateway needs to sit in front of this platform. */
  gatewayEnv: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * The control plane and two regional APIs, each region on its own database, as deployed.
 * `regionEnv` adds settings to both regions (a blob store, say).
 */
export async function startPlatform(suite: PlatformSuite, regionEnv: Record<string, string> = {}): Promise<Platform> {
  const dbs = databases(suite);
  const cpPort = await freePort();
  const ports = { in: await freePort(), ca: await freePort() };
  const serviceTokens = { in: randomBytes(24).toString('hex'), ca: randomBytes(24).toString('hex') };
  const issuer = 'https://console.medgenie.test';
  const regional = (id: 'in' | 'ca', db: TestDatabase) =>
    new Service(`region-${id}`, 'regional-api', ports[id], {
      REGION_ID: id,
      DATABASE_URL: db.appUrl,
      JWKS_URL: `http://127.0.0.1:${cpPort}/.well-known/jwks.json`,
      JWT_ISSUER: issuer,
      INTERNAL_SERVICE_TOKEN: serviceTokens[id],
      ...regionEnv,
    });
  const gatewayServiceToken = randomBytes(24).toString('hex');
  const controlPlane = new Service('control-plane', 'control-plane', cpPort, {
    DATABASE_URL: dbs.control_plane.appUrl,
    KEY_ENCRYPTION_SECRET: randomBytes(32).toString('hex'),
    JWT_ISSUER: issuer,
    REGION_SERVICE_TOKENS: JSON.stringify(serviceTokens),
    REGION_API_URLS: JSON.stringify({ in: `http://127.0.0.1:${ports.in}`, ca: `http://127.0.0.1:${ports.ca}` }),
    REGION_TIMEOUT_MS: '1500',
    GATEWAY_SERVICE_TOKEN: gatewayServiceToken,
    PROVISIONING_RETRY_MS: '250',
    ARGON2_MEMORY_KIB: '8192',
    ARGON2_TIME_COST: '1',
    // The suites sign in as a platform admin they insert with a password only (production keeps MFA required of them).
    PLATFORM_ADMIN_MFA_REQUIRED: 'false',
    // Every client of this platform is 127.0.0.1: the per-address limits would be everyone's (they are tested in the control plane's own tests).
    LOGIN_RATE_PER_ADDRESS: '6000',
    LOGIN_BURST_PER_ADDRESS: '6000',
    SIGNUP_RATE_PER_ADDRESS: '6000',
    SIGNUP_BURST_PER_ADDRESS: '6000',
  });
  const regions = { in: regional('in', dbs.region_in), ca: regional('ca', dbs.region_ca) };
  await controlPlane.start();
  await Promise.all([regions.in.start(), regions.ca.start()]);
  return {
    controlPlane,
    regions,
    gatewayEnv: {
      CONTROL_PLANE_URL: controlPlane.url,
      CONTROL_PLANE_SERVICE_TOKEN: gatewayServiceToken,
      REGION_API_URLS: JSON.stringify({ in: regions.in.url, ca: regions.ca.url }),
      JWT_ISSUER: issuer,
    },
    stop: async () => {
      await Promise.all([controlPlane.stop(), regions.in.stop(), regions.ca.stop()]);
    },
  };
}

/** The gateway in front of a platform, as a process of its own. */
export async function startGateway(platform: Platform, env: Record<string, string> = {}): Promise<Service> {
  const gateway = new Service('gateway', 'gateway', await freePort(), { ...platform.gatewayEnv, ...env }, '/healthz');
  await gateway.start();
  return gateway;
}

export async function call<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}
