import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { request } from 'undici';
import type { FlagDefinition } from '@medgenie/contracts';
import { TestIssuer, TEST_AUDIENCE, TEST_ISSUER } from '@medgenie/testing';
import { loadGatewayConfig } from '../src/config';
import { createGateway, Gateway } from '../src/gateway';
import { StubControlPlane, StubOrg, StubRegion } from './stubs';

export interface TestGateway {
  gateway: Gateway;
  url: string;
  port: number;
  cp: StubControlPlane;
  regions: Record<'us' | 'in' | 'ca', StubRegion>;
  issuer: TestIssuer;
  /** The environment the gateway was configured from: to start another one like it. */
  env: Record<string, string>;
  addOrg(regionId: string, status?: string): StubOrg;
  tokenFor(org: StubOrg, overrides?: Record<string, unknown>): Promise<string>;
  get(host: string, path: string, options?: { token?: string; headers?: Record<string, string> }): Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, unknown> }>;
  close(): Promise<void>;
}

/**
 * A gateway in front of stub regions and a stub control plane. With `flags`, the stub control plane
 * serves those definitions as the Unleash client API and the gateway polls it every 200 ms (its
 * backup in `flagsBackupDir`).
 */
export async function startTestGateway(env: Record<string, string> = {}, options: { flags?: FlagDefinition[]; flagsBackupDir?: string } = {}): Promise<TestGateway> {
  const issuer = await TestIssuer.create();
  const serviceToken = randomBytes(24).toString('hex');
  const cp = await new StubControlPlane(serviceToken, issuer).start();
  const regions = { us: await new StubRegion('us').start(), in: await new StubRegion('in').start(), ca: await new StubRegion('ca').start() };
  if (options.flags) {
    cp.flags = options.flags;
    cp.flagToken = randomBytes(24).toString('hex');
    env = {
      FLAGS_URL: `${cp.url}/api`,
      FLAGS_CLIENT_TOKEN: cp.flagToken,
      FLAGS_REFRESH_INTERVAL_MS: '200',
      FLAGS_METRICS_INTERVAL_MS: '0',
      FLAGS_BACKUP_DIR: options.flagsBackupDir ?? mkdtempSync(join(tmpdir(), 'mg-gateway-flags-')),
      ...env,
    };
  }
  const fullEnv: Record<string, string> = {
    GATEWAY_PORT: '0',
    CONTROL_PLANE_URL: cp.url,
    CONTROL_PLANE_SERVICE_TOKEN: serviceToken,
    REGION_API_URLS: JSON.stringify(Object.fromEntries(Object.entries(regions).map(([id, r]) => [id, r.url]))),
    JWT_ISSUER: TEST_ISSUER,
    JWT_AUDIENCE: TEST_AUDIENCE,
    HEALTH_INTERVAL_MS: '100',
    HEALTH_TIMEOUT_MS: '200',
    UPSTREAM_HEADERS_TIMEOUT_MS: '800',
    LOG_LEVEL: 'silent',
    ...env,
  };
  const config = loadGatewayConfig(fullEnv);
  const gateway = await createGateway(config);
  const port = await gateway.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${port}`;
  return {
    gateway,
    url,
    port,
    cp,
    regions,
    issuer,
    env: fullEnv,
    addOrg: (regionId, status = 'active') => {
      const org = { organizationId: randomUUID(), slug: `o${randomBytes(4).toString('hex')}`, regionId, status, plan: 'basic' };
      cp.orgs.set(org.organizationId, org);
      return org;
    },
    tokenFor: (org, overrides = {}) =>
      issuer.mint({ sub: randomUUID(), org: org.organizationId, region: org.regionId, role: 'org_admin', sid: randomUUID(), ...overrides }),
    get: async (host, path, options = {}) => {
      const res = await request(`${url}${path}`, {
        headers: { host, ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...(options.headers ?? {}) },
      });
      const text = await res.body.text();
      return { status: res.statusCode, body: text ? JSON.parse(text) : {}, headers: res.headers };
    },
    close: async () => {
      await gateway.close();
      await Promise.all([cp.stop(), ...Object.values(regions).map((r) => r.stop())]);
      await issuer.close();
    },
  };
}

/** Polls `predicate` every 25 ms until it holds or `ms` pass; its last answer. */
export const waitFor = async (predicate: () => Promise<boolean> | boolean, ms = 3_000): Promise<boolean> => {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await predicate()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return predicate();
};
