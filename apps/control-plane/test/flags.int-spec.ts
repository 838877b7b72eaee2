import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { DataSource } from 'typeorm';
import { InMemStorageProvider, Unleash, UnleashEvents } from 'unleash-client';
import { createPostgresDataSource } from '@medgenie/database';
import { controlPlaneEntities } from '../src/database/data-source';
import { flagEntities } from '../src/flags/feature-flag.entity';
import { controlPlaneMigrations } from '../src/migrations';
import { cpDb, signupBody, startTestControlPlane, TestControlPlane } from './support';

interface Flag {
  name: string;
  description: string;
  enabled: boolean;
  strategies: { constraints: { contextName: string; operator: string; values: string[] }[] }[];
}
interface UnleashFeatures {
  version: number;
  features: { name: string; enabled: boolean; strategies: { name: string; parameters: object; constraints: { contextName: string; operator: string; values: string[] }[] }[] }[];
}
interface AuditEvent {
  action: string;
  targetType: string;
  targetId: string;
  details: Record<string, unknown>;
}

/** A flag name no other test (or run) uses. */
const flagName = (what: string) => `t_${what}_${randomBytes(4).toString('hex')}`;
const regionIn = (...values: string[]) => [{ constraints: [{ contextName: 'regionId', operator: 'IN', values }] }];

/** `promise`, or a failure after `ms`. */
function within<T>(what: string, promise: Promise<T>, ms = 15_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Polls `probe` until it returns a value that is not undefined, or fails after `ms`. */
async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('feature flags', () => {
  const tokens = { in: randomBytes(24).toString('hex'), ca: randomBytes(24).toString('hex'), gateway: randomBytes(24).toString('hex') };
  /** A second token of the client "in", as while rotating it. */
  const nextInToken = randomBytes(24).toString('hex');
  let cp: TestControlPlane;
  let adminToken: string;
  let orgAdminToken: string;

  beforeAll(async () => {
    cp = await startTestControlPlane({ UNLEASH_CLIENT_TOKENS: JSON.stringify({ ...tokens, 'in.next': nextInToken }) });
    adminToken = (await cp.client.post<{ accessToken: string }>('/v1/auth/login', cp.platformAdmin)).body.accessToken;
    const signup = await cp.client.post<{ accessToken: string }>('/v1/signup', signupBody());
    expect(signup.status).toBe(201);
    orgAdminToken = signup.body.accessToken;
  });
  afterAll(() => cp?.close());

  const admin = { token: () => ({ token: adminToken }) };
  const put = (name: string, body: unknown) => cp.client.put<Flag & { code?: string; message?: string }>(`/v1/admin/flags/${name}`, body, admin.token());
  const features = (token: string, headers: Record<string, string> = {}) =>
    cp.client.get<UnleashFeatures>('/api/client/features', { headers: { authorization: token, ...headers } });
  const auditFor = async (name: string) => {
    const audit = await cp.client.get<AuditEvent[]>('/v1/admin/audit?limit=500', admin.token());
    return audit.body.filter((e) => e.targetType === 'feature_flag' && e.targetId === name).reverse();
  };

  describe('the schema', () => {
    it('has entities that match the migration column for column', async () => {
      const dataSource: DataSource = await createPostgresDataSource({
        url: cpDb().adminUrl,
        poolSize: 1,
        entities: [...controlPlaneEntities, ...flagEntities],
        migrations: controlPlaneMigrations,
        applicationName: 'medgenie-flags-schema-test',
      }).initialize();
      try {
        const sql = await dataSource.driver.createSchemaBuilder().log();
        expect(sql.upQueries.map((q) => q.query)).toEqual([]);
      } finally {
        await dataSource.destroy();
      }
    });
  });

  describe('reach', () => {
    type Reach = { reached: number; total: number; byRegion: Record<string, number>; byPlan: Record<string, number>; dependsOnClinic: boolean; organizations: { id: string; regionId: string }[] };
    let inOrg: string;
    let caOrg: string;
    beforeAll(async () => {
      const a = await cp.client.post<{ organizationId: string }>('/v1/signup', signupBody({ regionId: 'in' }));
      const b = await cp.client.post<{ organizationId: string }>('/v1/signup', signupBody({ regionId: 'ca' }));
      inOrg = a.body.organizationId;
      caOrg = b.body.organizationId;
      expect((await cp.client.patch(`/v1/admin/organizations/${caOrg}/plan`, { plan: 'basic' }, admin.token())).status).toBe(200);
    });
    const preview = (body: unknown) => cp.client.post<Reach & { code?: string }>('/v1/admin/flags/preview', body, admin.token());

    it('previews which organizations an unsaved definition reaches, by region, org and plan', async () => {
      const byRegion = await preview({ enabled: true, strategies: regionIn('in') });
      expect(byRegion.status).toBe(200);
      expect(byRegion.body.reached).toBeGreaterThanOrEqual(1);
      expect(byRegion.body.reached).toBeLessThan(byRegion.body.total);
      expect(Object.keys(byRegion.body.byRegion)).toEqual(['in']);
      expect(byRegion.body.organizations.every((o) => o.regionId === 'in')).toBe(true);
      expect(byRegion.body.dependsOnClinic).toBe(false);

      const one = await preview({ enabled: true, strategies: [{ constraints: [{ contextName: 'orgId', operator: 'IN', values: [caOrg] }] }] });
      expect(one.body).toMatchObject({ reached: 1, byRegion: { ca: 1 }, byPlan: { basic: 1 } });
      expect(one.body.organizations.map((o) => o.id)).toEqual([caOrg]);
      const notThatOne = await preview({ enabled: true, strategies: [{ constraints: [{ contextName: 'orgId', operator: 'NOT_IN', values: [caOrg] }] }] });
      expect(notThatOne.body.reached).toBe(notThatOne.body.total - 1);
      const basicInCa = await preview({ enabled: true, strategies: [{ constraints: [{ contextName: 'plan', operator: 'IN', values: ['basic'] }, { contextName: 'regionId', operator: 'IN', values: ['ca'] }] }] });
      expect(basicInCa.body.organizations.map((o) => o.id)).toContain(caOrg);
      expect(basicInCa.body.organizations.map((o) => o.id)).not.toContain(inOrg);
      expect((await preview({ enabled: false, strategies: regionIn('in') })).body.reached).toBe(0);
      const everyone = await preview({ enabled: true });
      expect(everyone.body.reached).toBe(everyone.body.total); // other suites sign up meanwhile: compare within one answer
      const clinic = await preview({ enabled: true, strategies: [{ constraints: [{ contextName: 'clinicId', operator: 'IN', values: [randomUUID()] }] }] });
      expect(clinic.body).toMatchObject({ reached: 0, dependsOnClinic: true });

      expect((await preview({ enabled: true, strategies: regionIn('IN') })).status).toBe(400);
      expect((await preview({ strategies: regionIn('in') })).status).toBe(400);
      expect((await cp.client.post('/v1/admin/flags/preview', { enabled: true }, { token: orgAdminToken })).status).toBe(403);
    });

    it("answers every flag as it is in effect for one organization, and a saved flag's reach", async () => {
      const name = flagName('reach');
      expect((await put(name, { enabled: true, strategies: regionIn('ca') })).status).toBe(201);
      const forIn = await cp.client.get<{ flags: Record<string, boolean>; context: Record<string, string> }>(`/v1/admin/organizations/${inOrg}/flags`, admin.token());
      const forCa = await cp.client.get<{ flags: Record<string, boolean>; context: Record<string, string> }>(`/v1/admin/organizations/${caOrg}/flags`, admin.token());
      expect(forIn.body.flags[name]).toBe(false);
      expect(forCa.body.flags[name]).toBe(true);
      expect(forCa.body.context).toEqual({ regionId: 'ca', orgId: caOrg, plan: 'basic' });
      // Seed 000: hindi_language is on in India only.
      expect(forIn.body.flags.hindi_language).toBe(true);
      expect(forCa.body.flags.hindi_language).toBe(false);

      const reach = await cp.client.get<Reach>(`/v1/admin/flags/${name}/reach`, admin.token());
      expect(reach.body.organizations.map((o) => o.id)).toContain(caOrg);
      expect(reach.body.organizations.map((o) => o.id)).not.toContain(inOrg);
      expect((await cp.client.get(`/v1/admin/organizations/${randomUUID()}/flags`, admin.token())).status).toBe(404);
      expect((await cp.client.get(`/v1/admin/flags/t_no_such_flag_x/reach`, admin.token())).status).toBe(404);
      expect((await cp.client.get(`/v1/admin/organizations/${inOrg}/flags`, { token: orgAdminToken })).status).toBe(403);
    });
  });

  describe('admin API', () => {
    it("starts with seed 000's five flags and their region targeting, and the maintenance flag off", async () => {
      const res = await cp.client.get<{ items: Flag[] }>('/v1/admin/flags', admin.token());
      expect(res.status).toBe(200);
      const byName = Object.fromEntries(res.body.items.map((f) => [f.name, f]));
      const seeded = {
        hindi_language: ['in'],
        french_language: ['ca'],
        whatsapp_integration: ['in', 'br', 'ae'],
        upi_payments: ['in'],
        fax_integration: ['ca', 'us'],
      };
      for (const [name, regions] of Object.entries(seeded)) {
        expect(byName[name]).toMatchObject({ enabled: true, strategies: regionIn(...regions) });
        expect(byName[name].description.length).toBeGreaterThan(0);
      }
      expect((await cp.client.get<Flag>('/v1/admin/flags/hindi_language', admin.token())).body.strategies).toEqual(regionIn('in'));
      // The gateway's maintenance switch is there too, off.
      expect(byName.read_only_maintenance).toMatchObject({ enabled: false, strategies: [] });
    });

    it('creates, replaces, toggles and deletes a flag, each change in the audit trail', async () => {
      const name = flagName('crud');
      const created = await put(name, { enabled: true, description: 'A test flag', strategies: regionIn('in', 'ca') });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name, enabled: true, description: 'A test flag', strategies: regionIn('in', 'ca') });

      // Replaced without strategies: on for everyone; the description is kept when not given.
      const replaced = await put(name, { enabled: true });
      expect(replaced.status).toBe(200);
      expect(replaced.body).toMatchObject({ name, enabled: true, description: 'A test flag', strategies: [] });

      const off = await cp.client.patch<Flag>(`/v1/admin/flags/${name}`, { enabled: false }, admin.token());
      expect(off.status).toBe(200);
      expect(off.body).toMatchObject({ enabled: false, strategies: [], description: 'A test flag' });
      expect((await cp.client.get<Flag>(`/v1/admin/flags/${name}`, admin.token())).body.enabled).toBe(false);

      expect((await cp.client.delete(`/v1/admin/flags/${name}`, admin.token())).status).toBe(204);
      const gone = await cp.client.get<{ code: string }>(`/v1/admin/flags/${name}`, admin.token());
      expect(gone.status).toBe(404);
      expect(gone.body.code).toBe('FLAG_NOT_FOUND');
      expect((await cp.client.delete<{ code: string }>(`/v1/admin/flags/${name}`, admin.token())).body.code).toBe('FLAG_NOT_FOUND');
      expect((await cp.client.patch<{ code: string }>(`/v1/admin/flags/${name}`, { enabled: true }, admin.token())).status).toBe(404);

      const events = await auditFor(name);
      expect(events.map((e) => e.action)).toEqual(['flag.create', 'flag.replace', 'flag.update', 'flag.delete']);
      expect(JSON.parse(events[0].details.strategies as string)).toEqual(regionIn('in', 'ca'));
      expect(events[1].details).toMatchObject({ enabled: true, strategies: '[]', previousEnabled: true });
      expect(events[2].details).toMatchObject({ enabled: false, previousEnabled: true });
      expect(events[3].details).toMatchObject({ enabled: false });
    });

    it('refuses what is not a valid flag, with no change and no audit event', async () => {
      const name = flagName('invalid');
      const constraint = (c: Record<string, unknown>) => ({ enabled: true, strategies: [{ constraints: [{ contextName: 'regionId', operator: 'IN', values: ['in'], ...c }] }] });
      const bad: unknown[] = [
        {},
        { enabled: 'yes' },
        { enabled: true, surprise: 1 },
        { enabled: true, strategies: {} },
        { enabled: true, strategies: ['regionId'] },
        { enabled: true, strategies: [{}] },
        constraint({ contextName: 'country' }),
        constraint({ operator: 'EQ' }),
        constraint({ operator: 'in' }),
        constraint({ values: [] }),
        constraint({ values: [''] }),
        constraint({ values: [' in'] }),
        constraint({ values: 'in' }),
        constraint({ values: [7] }),
        constraint({ extra: true }),
        // Well-formed, but a value its field can never take:
        constraint({ values: ['IN'] }),
        constraint({ contextName: 'plan', values: ['gold'] }),
        constraint({ contextName: 'orgId', values: ['apollo'] }),
        constraint({ contextName: 'clinicId', values: [randomUUID().toUpperCase()] }),
      ];
      for (const body of bad) {
        const res = await put(name, body);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
      }
      for (const badName of ['Hindi', 'a', '9lives', 'has-dash', `x${'y'.repeat(64)}`]) {
        expect((await put(badName, { enabled: true })).status).toBe(400);
      }
      expect((await cp.client.get(`/v1/admin/flags/${name}`, admin.token())).status).toBe(404);

      expect((await put(name, { enabled: true })).status).toBe(201);
      expect((await cp.client.patch(`/v1/admin/flags/${name}`, {}, admin.token())).status).toBe(400);
      expect((await cp.client.patch(`/v1/admin/flags/${name}`, { enabled: 1 }, admin.token())).status).toBe(400);
      expect((await auditFor(name)).map((e) => e.action)).toEqual(['flag.create']);
    });

    it('is for platform admins only', async () => {
      const name = flagName('guarded');
      for (const [token, status] of [
        [orgAdminToken, 403],
        [undefined, 401],
      ] as const) {
        const opts = token ? { token } : {};
        expect((await cp.client.get('/v1/admin/flags', opts)).status).toBe(status);
        expect((await cp.client.get('/v1/admin/flags/hindi_language', opts)).status).toBe(status);
        expect((await cp.client.put(`/v1/admin/flags/${name}`, { enabled: true }, opts)).status).toBe(status);
        expect((await cp.client.patch('/v1/admin/flags/hindi_language', { enabled: false }, opts)).status).toBe(status);
        expect((await cp.client.delete('/v1/admin/flags/hindi_language', opts)).status).toBe(status);
        expect((await cp.client.get('/v1/admin/flag-clients', opts)).status).toBe(status);
      }
      // A client token is not an admin credential either.
      expect((await cp.client.get('/v1/admin/flags', { headers: { authorization: tokens.in } })).status).toBe(401);
      expect((await cp.client.get('/v1/admin/flags/hindi_language', admin.token())).body).toMatchObject({ enabled: true, strategies: regionIn('in') });
    });
  });

  describe('Unleash client API', () => {
    it('wants a client token: not none, not a wrong one, not a user token', async () => {
      expect((await cp.client.get('/api/client/features')).status).toBe(401);
      expect((await features(randomBytes(24).toString('hex'))).status).toBe(401);
      expect((await features(tokens.in.slice(0, -1))).status).toBe(401);
      expect((await features(`Bearer ${adminToken}`)).status).toBe(401);
      expect((await features(adminToken)).status).toBe(401);
      expect((await features(orgAdminToken)).status).toBe(401);
      expect((await cp.client.post('/api/client/register', { appName: 'x', instanceId: 'y' }, { token: adminToken })).status).toBe(401);
      expect((await cp.client.post('/api/client/metrics', { appName: 'x', instanceId: 'y', bucket: { toggles: {} } })).status).toBe(401);
      for (const token of [...Object.values(tokens), nextInToken]) expect((await features(token)).status).toBe(200);
    });

    it('takes a second token of a client while rotating, and records it as that client', async () => {
      const instanceId = `inst-${randomUUID()}`;
      const register = { appName: 'region-in', instanceId, sdkVersion: 'unleash-node-sdk:6' };
      expect((await cp.client.post('/api/client/register', register, { headers: { authorization: nextInToken } })).status).toBe(202);
      const clients = await cp.client.get<{ items: { client: string; instanceId: string }[] }>('/v1/admin/flag-clients', admin.token());
      expect(clients.body.items.find((c) => c.instanceId === instanceId)?.client).toBe('in');
    });

    it('serves the flags in the Unleash format with a strong ETag, 304 when unchanged', async () => {
      const first = await features(tokens.gateway);
      expect(first.status).toBe(200);
      expect(first.body.version).toBe(2);
      const hindi = first.body.features.find((f) => f.name === 'hindi_language');
      expect(hindi).toMatchObject({
        enabled: true,
        strategies: [{ name: 'default', parameters: {}, constraints: [{ contextName: 'regionId', operator: 'IN', values: ['in'], inverted: false, caseInsensitive: false }] }],
      });
      const etag = first.headers.etag as string;
      expect(etag).toMatch(/^"[A-Za-z0-9_-]{20,}"$/);

      const unchanged = await features(tokens.in, { 'if-none-match': etag });
      expect(unchanged.status).toBe(304);
      expect(unchanged.body).toBe('');
      expect(unchanged.headers.etag).toBe(etag);
      expect((await features(tokens.in, { 'if-none-match': `"other", W/${etag}` })).status).toBe(304);
      expect((await features(tokens.in, { 'if-none-match': '"other"' })).status).toBe(200);

      // Any change makes a new ETag; a flag without strategies is served with one unconstrained default.
      const name = flagName('etag');
      await put(name, { enabled: true });
      const changed = await features(tokens.in, { 'if-none-match': etag });
      expect(changed.status).toBe(200);
      expect(changed.headers.etag).not.toBe(etag);
      expect(changed.body.features.find((f) => f.name === name)).toMatchObject({ enabled: true, strategies: [{ name: 'default', constraints: [] }] });
    });

    it('accepts registrations and metrics (202) and refuses malformed ones', async () => {
      const name = flagName('reported');
      await put(name, { enabled: true });
      const instanceId = `inst-${randomUUID()}`;
      const auth = { headers: { authorization: tokens.ca } };
      const register = await cp.client.post('/api/client/register', { appName: 'region-ca', instanceId, sdkVersion: 'unleash-node-sdk:6', started: new Date().toISOString(), interval: 60000, strategies: ['default'], platformName: 'node' }, auth);
      expect(register.status).toBe(202);
      const bucket = { start: new Date().toISOString(), stop: new Date().toISOString(), toggles: { [name]: { yes: 3, no: 1, variants: {} }, 'Not A Flag': { yes: 1, no: 0, variants: {} } } };
      expect((await cp.client.post('/api/client/metrics', { appName: 'region-ca', instanceId, bucket, connectionId: 'c' }, auth)).status).toBe(202);
      expect((await cp.client.post('/api/client/metrics', { appName: 'region-ca', instanceId, bucket }, auth)).status).toBe(202);
      expect((await cp.client.post('/api/client/metrics', { appName: 'region-ca', instanceId, bucket: { toggles: { [name]: { yes: -1, no: 0 } } } }, auth)).status).toBe(400);
      expect((await cp.client.post('/api/client/register', { instanceId }, auth)).status).toBe(400);

      const metrics = await cp.client.get<{ items: { client: string; appName: string; yes: number; no: number }[] }>(`/v1/admin/flags/${name}/metrics`, admin.token());
      expect(metrics.body.items).toEqual([expect.objectContaining({ client: 'ca', appName: 'region-ca', yes: 6, no: 2 })]);
      const clients = await cp.client.get<{ items: { client: string; appName: string; instanceId: string; registeredAt: string | null; intervalMs: number }[] }>('/v1/admin/flag-clients', admin.token());
      expect(clients.body.items.find((c) => c.instanceId === instanceId)).toMatchObject({ client: 'ca', appName: 'region-ca', intervalMs: 60000, registeredAt: expect.any(String) });
    });
  });

  describe('the unleash-client SDK against the control plane', () => {
    let baseUrl: string;
    const sdks: Unleash[] = [];
    beforeAll(async () => {
      await cp.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = cp.app.getHttpServer().address() as AddressInfo;
      baseUrl = `http://127.0.0.1:${port}`;
    });
    afterAll(() => {
      for (const sdk of sdks) sdk.destroy();
    });

    function startSdk(appName: string, token: string) {
      const sdk = new Unleash({
        url: `${baseUrl}/api`,
        appName,
        instanceId: `${appName}-${randomUUID()}`,
        customHeaders: { Authorization: token },
        refreshInterval: 1000,
        metricsInterval: 1000,
        storageProvider: new InMemStorageProvider(),
        skipInstanceCountWarning: true,
      });
      sdk.on(UnleashEvents.Error, () => undefined); // asserted through what it evaluates
      sdks.push(sdk);
      return sdk;
    }
    const synchronized = (sdk: Unleash) => within('the first fetch', new Promise<void>((resolve) => sdk.once(UnleashEvents.Synchronized, () => resolve())));

    it('evaluates targeting by each context field with IN and NOT_IN, picks up changes, and reports back', async () => {
      const [orgA, orgB, clinic1, clinic2] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
      const flags = {
        regionIn: flagName('region_in'),
        regionNotIn: flagName('region_not_in'),
        orgIn: flagName('org_in'),
        orgNotIn: flagName('org_not_in'),
        clinicIn: flagName('clinic_in'),
        clinicNotIn: flagName('clinic_not_in'),
        planIn: flagName('plan_in'),
        planNotIn: flagName('plan_not_in'),
        both: flagName('region_and_plan_or_org'),
        everyone: flagName('everyone'),
        off: flagName('off'),
      };
      const one = (contextName: string, operator: string, values: string[]) => [{ constraints: [{ contextName, operator, values }] }];
      await put(flags.regionIn, { enabled: true, strategies: one('regionId', 'IN', ['in', 'ca']) });
      await put(flags.regionNotIn, { enabled: true, strategies: one('regionId', 'NOT_IN', ['in']) });
      await put(flags.orgIn, { enabled: true, strategies: one('orgId', 'IN', [orgA]) });
      await put(flags.orgNotIn, { enabled: true, strategies: one('orgId', 'NOT_IN', [orgA]) });
      await put(flags.clinicIn, { enabled: true, strategies: one('clinicId', 'IN', [clinic1]) });
      await put(flags.clinicNotIn, { enabled: true, strategies: one('clinicId', 'NOT_IN', [clinic1]) });
      await put(flags.planIn, { enabled: true, strategies: one('plan', 'IN', ['premium', 'enterprise']) });
      await put(flags.planNotIn, { enabled: true, strategies: one('plan', 'NOT_IN', ['trial']) });
      // (region in AND plan not trial) OR org B
      await put(flags.both, {
        enabled: true,
        strategies: [
          {
            constraints: [
              { contextName: 'regionId', operator: 'IN', values: ['in'] },
              { contextName: 'plan', operator: 'NOT_IN', values: ['trial'] },
            ],
          },
          { constraints: [{ contextName: 'orgId', operator: 'IN', values: [orgB] }] },
        ],
      });
      await put(flags.everyone, { enabled: true });
      await put(flags.off, { enabled: false });

      const region = startSdk('region-in', tokens.in);
      const registered = new Promise<void>((resolve) => region.once(UnleashEvents.Registered, () => resolve()));
      await synchronized(region);

      const ctx = (regionId: string, orgId: string, clinicId: string, plan: string) => ({ properties: { regionId, orgId, clinicId, plan } });
      const a = ctx('in', orgA, clinic1, 'trial');
      const b = ctx('us', orgB, clinic2, 'premium');
      const c = ctx('ca', orgB, clinic2, 'basic');
      const on = (name: string, context: ReturnType<typeof ctx>) => region.isEnabled(name, context);
      expect([on(flags.regionIn, a), on(flags.regionIn, b), on(flags.regionIn, c)]).toEqual([true, false, true]);
      expect([on(flags.regionNotIn, a), on(flags.regionNotIn, b), on(flags.regionNotIn, c)]).toEqual([false, true, true]);
      expect([on(flags.orgIn, a), on(flags.orgIn, b)]).toEqual([true, false]);
      expect([on(flags.orgNotIn, a), on(flags.orgNotIn, b)]).toEqual([false, true]);
      expect([on(flags.clinicIn, a), on(flags.clinicIn, b)]).toEqual([true, false]);
      expect([on(flags.clinicNotIn, a), on(flags.clinicNotIn, b)]).toEqual([false, true]);
      expect([on(flags.planIn, a), on(flags.planIn, b), on(flags.planIn, c)]).toEqual([false, true, false]);
      expect([on(flags.planNotIn, a), on(flags.planNotIn, b), on(flags.planNotIn, c)]).toEqual([false, true, true]);
      expect([on(flags.both, a), on(flags.both, ctx('in', orgA, clinic1, 'basic')), on(flags.both, b), on(flags.both, ctx('us', orgA, clinic1, 'premium'))]).toEqual([
        false,
        true,
        true,
        false,
      ]);
      expect([on(flags.everyone, a), on(flags.everyone, b), region.isEnabled(flags.everyone)]).toEqual([true, true, true]);
      expect([on(flags.off, a), on(flags.off, b)]).toEqual([false, false]);
      // A context without the field: IN does not hold, NOT_IN does.
      expect([region.isEnabled(flags.regionIn, {}), region.isEnabled(flags.regionNotIn, {})]).toEqual([false, true]);
      // The seed's defaults, as a region evaluates them.
      expect(['hindi_language', 'french_language', 'whatsapp_integration', 'upi_payments', 'fax_integration'].map((f) => on(f, a))).toEqual([true, false, true, true, false]);
      expect(['hindi_language', 'french_language', 'whatsapp_integration', 'upi_payments', 'fax_integration'].map((f) => on(f, c))).toEqual([false, true, false, false, true]);

      // Polls after the first are answered 304.
      await within('a 304 poll', new Promise<void>((resolve) => region.once(UnleashEvents.Unchanged, () => resolve())));

      // Changes through the admin API reach the SDK within a few refreshes.
      expect((await cp.client.patch(`/v1/admin/flags/${flags.regionIn}`, { enabled: false }, admin.token())).status).toBe(200);
      expect((await put(flags.orgNotIn, { enabled: true, strategies: one('orgId', 'NOT_IN', [orgA, orgB]) })).status).toBe(200);
      expect((await cp.client.delete(`/v1/admin/flags/${flags.clinicIn}`, admin.token())).status).toBe(204);
      await eventually('the changes to reach the SDK', () =>
        !on(flags.regionIn, a) && !on(flags.orgNotIn, b) && !on(flags.clinicIn, a) ? true : undefined,
      );
      expect(on(flags.regionNotIn, b)).toBe(true);

      // Registration and metrics are received and recorded per client token, app and instance.
      await within('the registration', registered);
      const instance = await eventually('the registration', async () => {
        const res = await cp.client.get<{ items: { client: string; appName: string; instanceId: string; registeredAt: string | null; sdkVersion: string }[] }>(
          '/v1/admin/flag-clients',
          admin.token(),
        );
        return res.body.items.find((i) => i.client === 'in' && i.appName === 'region-in' && i.registeredAt !== null);
      });
      expect(instance.sdkVersion).toMatch(/^unleash-node-sdk:/);
      const counted = await eventually('the metrics', async () => {
        const res = await cp.client.get<{ items: { client: string; appName: string; yes: number; no: number }[] }>(`/v1/admin/flags/${flags.planIn}/metrics`, admin.token());
        // Summed over hours: a report may land on each side of an hour's end.
        const rows = res.body.items.filter((r) => r.client === 'in' && r.appName === 'region-in');
        const sum = { yes: rows.reduce((n, r) => n + r.yes, 0), no: rows.reduce((n, r) => n + r.no, 0) };
        return sum.yes + sum.no >= 3 ? sum : undefined;
      });
      expect(counted).toEqual({ yes: 1, no: 2 });
    }, 60_000);

    it('stops polling on a token it is refused with, and never evaluates flags it was not given', async () => {
      const refused = startSdk('intruder', randomBytes(24).toString('hex'));
      const error = await within('the refusal', new Promise<Error>((resolve) => refused.once(UnleashEvents.Error, resolve)));
      expect(error.message).toMatch(/401/);
      expect(refused.isEnabled('hindi_language', { properties: { regionId: 'in' } })).toBe(false);
      const gateway = startSdk('gateway', tokens.gateway);
      await synchronized(gateway);
      expect(gateway.isEnabled('hindi_language', { properties: { regionId: 'in' } })).toBe(true);
    });
  });
});
