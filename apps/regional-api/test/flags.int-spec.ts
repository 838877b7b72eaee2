import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestIssuer, TestOrg } from '@medgenie/testing';
import { FlagDefinition, SEED_FLAG_DEFINITIONS, toUnleashFeatures } from '@medgenie/contracts';
import { Flags } from '../src/flags/flags.service';
import { startTestRegion, TestRegion } from './support';

/**
 * The regional API's flags, evaluated by the real `unleash-client` SDK polling a small local
 * server that answers as the control plane's Unleash client API does (the payload of
 * apps/control-plane/src/flags/unleash-features.ts, with a strong ETag and 304s).
 */

const TOKEN = 'flag-client-token-for-region-in-'.padEnd(48, 'x');
const REFRESH_MS = 200;

type FlagDef = Omit<FlagDefinition, 'strategies'> & { strategies?: FlagDefinition['strategies'] };
const SEED: FlagDef[] = [...SEED_FLAG_DEFINITIONS];
const unleashFeatures = (flags: FlagDef[]) => toUnleashFeatures(flags.map((flag) => ({ ...flag, strategies: flag.strategies ?? [] })));
const inRegions = (...values: string[]): FlagDef['strategies'] => [{ constraints: [{ contextName: 'regionId', operator: 'IN', values }] }];

/** A stand-in for the control plane's `/api/client/*`, on a fixed port once started. */
class FakeFlagServer {
  flags: FlagDef[] = SEED;
  featureFetches = 0;
  notModified = 0;
  registrations: Record<string, unknown>[] = [];
  metrics = 0;
  refused = 0;
  appNames = new Set<string>();
  private server?: Server;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((done) => server.listen(this.port, '127.0.0.1', done));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((done) => {
      server.close(() => done());
      server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body = '';
    for await (const chunk of req) body += chunk;
    if (req.headers.authorization !== TOKEN) {
      this.refused++;
      res.writeHead(401).end();
      return;
    }
    this.appNames.add(String(req.headers['unleash-appname']));
    if (req.method === 'GET' && req.url?.startsWith('/api/client/features')) {
      this.featureFetches++;
      const payload = JSON.stringify(unleashFeatures(this.flags));
      const etag = `"${createHash('sha256').update(payload).digest('base64url')}"`;
      if (req.headers['if-none-match'] === etag) {
        this.notModified++;
        res.writeHead(304, { etag }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', etag }).end(payload);
    } else if (req.method === 'POST' && req.url === '/api/client/register') {
      this.registrations.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(202).end();
    } else if (req.method === 'POST' && req.url === '/api/client/metrics') {
      this.metrics++;
      res.writeHead(202).end();
    } else {
      res.writeHead(404).end();
    }
  }
}

/** Polls `probe` until it returns true, or fails with what it last saw once `ms` have passed. */
async function eventually(what: string, probe: () => Promise<boolean> | boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await probe()) return;
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((done) => setTimeout(done, 25));
  }
}

describe('feature flags in the region (the real unleash-client SDK)', () => {
  const server = new FakeFlagServer();
  const backupDir = mkdtempSync(join(tmpdir(), 'mg-flags-'));
  let issuer: TestIssuer;
  let region: TestRegion;
  let basic: TestOrg;
  let premium: TestOrg;
  const extra: TestRegion[] = [];

  const flagEnv = (dir = backupDir) => ({
    FLAGS_URL: server.url,
    FLAGS_CLIENT_TOKEN: TOKEN,
    FLAGS_REFRESH_INTERVAL_MS: String(REFRESH_MS),
    FLAGS_METRICS_INTERVAL_MS: '500',
    FLAGS_BACKUP_DIR: dir,
  });
  const features = async (r: TestRegion, org: TestOrg) => {
    const res = await r.client.get<Record<string, boolean>>('/v1/features', { token: org.admin.token });
    expect(res.status).toBe(200);
    return res.body;
  };
  const featuresAre = (r: TestRegion, org: TestOrg, expected: Record<string, boolean>) => async () => {
    const got = await features(r, org);
    return JSON.stringify(got) === JSON.stringify(expected);
  };

  beforeAll(async () => {
    await server.start();
    issuer = await TestIssuer.create();
    region = await startTestRegion({ regionId: 'in', issuer, env: flagEnv() });
    basic = await region.createOrg({ plan: 'basic' });
    premium = await region.createOrg({ plan: 'premium' });
  });

  afterAll(async () => {
    for (const r of extra) await r.close();
    await region?.close();
    await server.stop();
    await issuer?.close();
    rmSync(backupDir, { recursive: true, force: true });
  });

  it('polls the control plane as region-in with its token, uses the ETag (304) and reports to it', async () => {
    await eventually('two fetches, one answered 304', () => server.featureFetches >= 2 && server.notModified >= 1);
    await eventually('the SDK registered', () => server.registrations.length >= 1);
    expect(server.appNames).toEqual(new Set(['region-in']));
    expect(server.registrations[0]).toMatchObject({ appName: 'region-in' });
    expect(server.refused).toBe(0);
    expect(region.app.get(Flags).status()).toEqual({ polling: true, reachable: true });
    // Seed 000's targeting: in India, Hindi, WhatsApp and UPI; no French, no fax.
    expect(await features(region, basic)).toEqual({
      fax_integration: false,
      french_language: false,
      hindi_language: true,
      upi_payments: true,
      whatsapp_integration: true,
    });
  });

  it('targets by region, org and plan, and a change reaches the region within the poll interval', async () => {
    server.flags = [
      { name: 'hindi_language', enabled: true, strategies: [{ constraints: [{ contextName: 'regionId', operator: 'IN', values: ['in'] }, { contextName: 'orgId', operator: 'IN', values: [basic.orgId] }] }] },
      { name: 'french_language', enabled: true, strategies: inRegions('ca') },
      { name: 'whatsapp_integration', enabled: true, strategies: [{ constraints: [{ contextName: 'orgId', operator: 'NOT_IN', values: [premium.orgId] }] }] },
      { name: 'upi_payments', enabled: true, strategies: [{ constraints: [{ contextName: 'plan', operator: 'IN', values: ['premium', 'enterprise'] }] }] },
      { name: 'fax_integration', enabled: true, strategies: [{ constraints: [{ contextName: 'regionId', operator: 'NOT_IN', values: ['in'] }] }] },
      { name: 'beta_reports', enabled: true },
    ];
    const changedAt = Date.now();
    const forBasic = { beta_reports: true, fax_integration: false, french_language: false, hindi_language: true, upi_payments: false, whatsapp_integration: true };
    const forPremium = { beta_reports: true, fax_integration: false, french_language: false, hindi_language: false, upi_payments: true, whatsapp_integration: false };
    await eventually('the basic org sees the new targeting', featuresAre(region, basic, forBasic));
    // Within one poll (and the request that observed it), with room for a slow CI machine.
    expect(Date.now() - changedAt).toBeLessThan(REFRESH_MS * 5 + 2_000);
    expect(await features(region, premium)).toEqual(forPremium);
  });

  it('lets an org choose Hindi only where hindi_language is on for it; English always', async () => {
    const org = (o: TestOrg) => region.client.get<{ availableLanguages: string[] }>('/v1/organization', { token: o.admin.token });
    const setLanguage = (o: TestOrg, language: string) =>
      region.client.patch<{ code?: string; settings: { language: string } }>('/v1/organization/settings', { language }, { token: o.admin.token });

    expect((await org(basic)).body.availableLanguages).toEqual(['en', 'hi']);
    expect((await org(premium)).body.availableLanguages).toEqual(['en']);
    const allowed = await setLanguage(basic, 'hi');
    expect(allowed.status).toBe(200);
    expect(allowed.body.settings.language).toBe('hi');
    const refused = await setLanguage(premium, 'hi');
    expect(refused.status).toBe(400);
    expect(refused.body.code).toBe('UNSUPPORTED_LANGUAGE');
    expect((await setLanguage(premium, 'en')).status).toBe(200);
    // French: neither among India's languages nor on here.
    expect((await setLanguage(basic, 'fr')).body.code).toBe('UNSUPPORTED_LANGUAGE');

    // Hindi off for everyone: the basic org loses it too (its current setting stays; a new choice of it is refused).
    server.flags = server.flags.map((f) => (f.name === 'hindi_language' ? { ...f, enabled: false } : f));
    await eventually('Hindi is off for the basic org', async () => (await org(basic)).body.availableLanguages.join() === 'en');
    const now = await setLanguage(basic, 'hi');
    expect(now.status).toBe(400);
    expect(now.body.code).toBe('UNSUPPORTED_LANGUAGE');
    expect((await setLanguage(basic, 'en')).status).toBe(200);

    server.flags = server.flags.map((f) => (f.name === 'hindi_language' ? { ...f, enabled: true } : f));
    await eventually('Hindi is back for the basic org', async () => (await org(basic)).body.availableLanguages.join() === 'en,hi');
    expect((await setLanguage(basic, 'hi')).status).toBe(200);
  });

  it('evaluates the last definitions with the control plane down, and a region started then starts from its backup', async () => {
    const before = await features(region, basic);
    expect(before).toMatchObject({ beta_reports: true, hindi_language: true });
    await server.stop();
    await eventually('the region noticed the control plane is down', () => region.app.get(Flags).status().reachable === false);
    expect(await features(region, basic)).toEqual(before);
    expect(await features(region, premium)).toMatchObject({ hindi_language: false, upi_payments: true });

    // A second instance of the region, started while the control plane is down: the backup, not the seed.
    const fromBackup = await startTestRegion({ regionId: 'in', issuer, env: flagEnv() });
    extra.push(fromBackup);
    expect(await features(fromBackup, basic)).toEqual(before);
    expect(await features(fromBackup, premium)).toMatchObject({ hindi_language: false, upi_payments: true, whatsapp_integration: false });

    // One with no backup at all starts from seed 000's defaults.
    const emptyDir = mkdtempSync(join(tmpdir(), 'mg-flags-empty-'));
    try {
      const fromSeed = await startTestRegion({ regionId: 'in', issuer, env: flagEnv(emptyDir) });
      extra.push(fromSeed);
      expect(await features(fromSeed, premium)).toEqual({
        fax_integration: false,
        french_language: false,
        hindi_language: true,
        upi_payments: true,
        whatsapp_integration: true,
      });
      const languages = await fromSeed.client.get<{ availableLanguages: string[] }>('/v1/organization', { token: premium.admin.token });
      expect(languages.body.availableLanguages).toEqual(['en', 'hi']);
    } finally {
      rmSync(emptyDir, { recursive: true, force: true });
    }
  });

  it('catches up once the control plane answers again', async () => {
    server.flags = SEED;
    await server.start(); // the same port
    await eventually('the seed targeting is back for the premium org', async () => (await features(region, premium)).hindi_language === true, 10_000);
    // The instances started while it was down reach it too (and have no failing fetch left in flight when they close).
    for (const r of extra) await eventually('a region started while down reaches the control plane', () => r.app.get(Flags).status().reachable === true, 10_000);
    expect(await features(extra[0], premium)).toMatchObject({ hindi_language: true, upi_payments: true, whatsapp_integration: true });
    expect(await features(region, premium)).toEqual({
      fax_integration: false,
      french_language: false,
      hindi_language: true,
      upi_payments: true,
      whatsapp_integration: true,
    });
  });
});

describe('feature flags without a control plane (FLAGS_URL unset)', () => {
  it('answers seed 000 defaults for the region', async () => {
    const region = await startTestRegion({ regionId: 'ca' });
    try {
      const org = await region.createOrg();
      const res = await region.client.get<Record<string, boolean>>('/v1/features', { token: org.admin.token });
      expect(res.body).toEqual({ fax_integration: true, french_language: true, hindi_language: false, upi_payments: false, whatsapp_integration: false });
      const staff = await org.addMember('staff', [org.clinicIds[0]]);
      expect((await region.client.get('/v1/features', { token: staff.token })).status).toBe(200);
      expect((await region.client.get('/v1/features')).status).toBe(401);
      const got = await region.client.get<{ availableLanguages: string[] }>('/v1/organization', { token: org.admin.token });
      expect(got.body.availableLanguages).toEqual(['en', 'fr']);
      expect((await region.client.patch('/v1/organization/settings', { language: 'fr' }, { token: org.admin.token })).status).toBe(200);
      expect(region.app.get(Flags).status()).toEqual({ polling: false, reachable: undefined });
    } finally {
      await region.close();
    }
  });
});
