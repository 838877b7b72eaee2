import Redis from 'ioredis';
import { Client } from 'pg';
import { GATEWAY_VIEW_PREFIX, SERVICE_TOKEN_HEADER } from '@medgenie/contracts';
import { cpDb, PASSWORD, signupBody, startTestControlPlane, TestControlPlane, unique } from './support';

describe('platform admin, members and the registry', () => {
  let cp: TestControlPlane;
  let adminToken: string;
  beforeAll(async () => {
    cp = await startTestControlPlane();
    adminToken = (await cp.client.post<{ accessToken: string }>('/v1/auth/login', cp.platformAdmin)).body.accessToken;
  });
  afterAll(() => cp?.close());

  async function signup(regionId = 'in') {
    const body = signupBody({ regionId });
    const res = await cp.client.post<{ organizationId: string; accessToken: string; clinicId: string; userId: string }>('/v1/signup', body);
    expect(res.status).toBe(201);
    return { ...body, ...res.body };
  }

  it('lists and searches organizations by region, plan and status', async () => {
    const inOrg = await signup('in');
    await signup('ca');
    const byRegion = await cp.client.get<{ items: { id: string; regionId: string }[]; total: number }>('/v1/admin/organizations?regionId=in&limit=200', {
      token: adminToken,
    });
    expect(byRegion.status).toBe(200);
    expect(byRegion.body.items.every((o) => o.regionId === 'in')).toBe(true);
    expect(byRegion.body.items.some((o) => o.id === inOrg.organizationId)).toBe(true);
    const search = await cp.client.get<{ items: { id: string }[] }>(`/v1/admin/organizations?search=${inOrg.slug}&plan=trial&status=active`, { token: adminToken });
    expect(search.body.items.map((o) => o.id)).toEqual([inOrg.organizationId]);
    expect((await cp.client.get('/v1/admin/organizations?status=bogus', { token: adminToken })).status).toBe(400);
  });

  it('pages the list (limit and offset, with the total) for the console', async () => {
    type Page = { items: { id: string }[]; total: number; limit: number; offset: number };
    // Orgs of this test only (a slug prefix of its own), so suites signing up meanwhile do not move the pages.
    const prefix = unique('page').toLowerCase();
    for (const [regionId, n] of [['in', 1], ['ca', 2]] as const) {
      expect((await cp.client.post('/v1/signup', signupBody({ regionId, slug: `${prefix}-${n}` }))).status).toBe(201);
    }
    const list = (query: string) => cp.client.get<Page>(`/v1/admin/organizations?search=${prefix}&${query}`, { token: adminToken });
    const whole = await list('limit=200');
    expect(whole.body.total).toBeGreaterThanOrEqual(2);
    const first = await list('limit=1');
    const second = await list('limit=1&offset=1');
    expect(first.body).toMatchObject({ limit: 1, offset: 0, total: whole.body.total });
    expect(second.body).toMatchObject({ limit: 1, offset: 1, total: whole.body.total });
    expect(first.body.items).toHaveLength(1);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0].id).not.toBe(first.body.items[0].id);
    expect((await list(`offset=${whole.body.total}`)).body.items).toEqual([]);
    for (const bad of ['limit=0', 'limit=201', 'offset=-1']) expect((await cp.client.get(`/v1/admin/organizations?${bad}`, { token: adminToken })).status).toBe(400);
  });

  it('filters the audit trail by action (or its start) and target, for the console', async () => {
    const org = await signup('in');
    const other = await signup('in');
    for (const o of [org, other]) {
      await cp.client.post(`/v1/admin/organizations/${o.organizationId}/suspend`, { reason: 'unpaid invoices' }, { token: adminToken });
      await cp.client.post(`/v1/admin/organizations/${o.organizationId}/reactivate`, {}, { token: adminToken });
    }
    type Event = { action: string; targetId: string };
    const mine = await cp.client.get<Event[]>(`/v1/admin/audit?targetId=${org.organizationId}`, { token: adminToken });
    expect(mine.status).toBe(200);
    expect(mine.body.map((e) => e.action)).toEqual(['organization.reactivate', 'organization.suspend']);
    const suspends = await cp.client.get<Event[]>(`/v1/admin/audit?action=organization.suspend&targetId=${org.organizationId}`, { token: adminToken });
    expect(suspends.body.map((e) => e.action)).toEqual(['organization.suspend']);
    const byPrefix = await cp.client.get<Event[]>('/v1/admin/audit?action=organization.&limit=500', { token: adminToken });
    expect(byPrefix.body.length).toBeGreaterThanOrEqual(4);
    expect(byPrefix.body.every((e) => e.action.startsWith('organization.'))).toBe(true);
    expect(byPrefix.body.filter((e) => e.targetId === other.organizationId)).toHaveLength(2);
    // An underscore is a character, not LIKE's wildcard: "organization_" matches no "organization." action.
    expect((await cp.client.get<Event[]>('/v1/admin/audit?action=organization_.', { token: adminToken })).body).toEqual([]);
    for (const bad of ['action=%25', 'action=Organization', 'targetId=a%20b', 'limit=501']) {
      expect((await cp.client.get(`/v1/admin/audit?${bad}`, { token: adminToken })).status).toBe(400);
    }
  });

  it('is for platform admins only', async () => {
    const org = await signup();
    expect((await cp.client.get('/v1/admin/organizations', { token: org.accessToken })).status).toBe(403);
    expect((await cp.client.get('/v1/admin/organizations')).status).toBe(401);
  });

  it('suspends (the region is told at once, logins refused) and reactivates, with an audit trail', async () => {
    const org = await signup('ca');
    const suspended = await cp.client.post<{ status: string; regionSynced: boolean }>(`/v1/admin/organizations/${org.organizationId}/suspend`, {}, { token: adminToken });
    expect(suspended.body).toMatchObject({ status: 'suspended', regionSynced: true });
    const pushed = cp.regions.ca.calls.find((c) => c.method === 'PATCH' && c.url.endsWith(org.organizationId));
    expect(pushed?.body).toMatchObject({ status: 'suspended' });
    const login = await cp.client.post<{ code: string }>('/v1/auth/login', { email: org.adminEmail, password: PASSWORD });
    expect(login.status).toBe(403);
    expect(login.body.code).toBe('ORGANIZATION_NOT_ACTIVE');

    await cp.client.post(`/v1/admin/organizations/${org.organizationId}/reactivate`, {}, { token: adminToken });
    expect((await cp.client.post('/v1/auth/login', { email: org.adminEmail, password: PASSWORD })).status).toBe(200);

    const plan = await cp.client.patch<{ plan: string }>(`/v1/admin/organizations/${org.organizationId}/plan`, { plan: 'premium' }, { token: adminToken });
    expect(plan.body.plan).toBe('premium');

    const audit = await cp.client.get<{ action: string; targetId: string }[]>('/v1/admin/audit?limit=500', { token: adminToken });
    const mine = audit.body.filter((e) => e.targetId === org.organizationId).map((e) => e.action);
    expect(mine.sort()).toEqual(['organization.plan.change', 'organization.reactivate', 'organization.suspend']);
  });

  it('narrows the audit trail by action (or a prefix), target, actor and time, and pages with before', async () => {
    type Event = { id: string; action: string; targetType: string; targetId: string; actorUserId: string; occurredAt: string };
    const org = await signup('in');
    const started = new Date(Date.now() - 1_000).toISOString();
    const url = `/v1/admin/organizations/${org.organizationId}`;
    await cp.client.post(`${url}/suspend`, { reason: 'audit filter test' }, { token: adminToken });
    await cp.client.post(`${url}/reactivate`, {}, { token: adminToken });
    await cp.client.patch(`${url}/plan`, { plan: 'basic' }, { token: adminToken });
    const audit = (query: string) => cp.client.get<Event[]>(`/v1/admin/audit?${query}`, { token: adminToken });

    const onOrg = await audit(`targetType=organization&targetId=${org.organizationId}`);
    expect(onOrg.status).toBe(200);
    expect(onOrg.body.map((e) => e.action)).toEqual(['organization.plan.change', 'organization.reactivate', 'organization.suspend']);
    const actor = onOrg.body[0].actorUserId;
    expect((await audit(`action=organization.suspend&targetId=${org.organizationId}`)).body.map((e) => e.action)).toEqual(['organization.suspend']);
    expect((await audit(`action=organization.*&targetId=${org.organizationId}&since=${encodeURIComponent(started)}`)).body).toHaveLength(3);
    expect((await audit(`action=organization.&targetId=${org.organizationId}`)).body).toHaveLength(3);
    expect((await audit(`action=member.*&targetId=${org.organizationId}`)).body).toHaveLength(0);
    expect((await audit(`actorUserId=${actor}&targetId=${org.organizationId}`)).body).toHaveLength(3);
    expect((await audit(`actorUserId=${org.userId}&targetId=${org.organizationId}`)).body).toHaveLength(0);
    expect((await audit(`targetId=${org.organizationId}&since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).body).toEqual([]);

    // Pages: two, then what is before the last of them.
    const page1 = await audit(`targetId=${org.organizationId}&limit=2`);
    expect(page1.body).toHaveLength(2);
    const page2 = await audit(`targetId=${org.organizationId}&limit=2&before=${encodeURIComponent(page1.body[1].occurredAt)}`);
    expect(page2.body.map((e) => e.action)).toEqual(['organization.suspend']);

    for (const bad of ['action=DROP TABLE', 'actorUserId=me', 'since=yesterday', 'before=2026-02-30T00:00:00Z', 'since=2026-01-01T00:00:00', 'limit=0']) {
      expect((await audit(bad)).status).toBe(400);
    }
  });

  it('shows every region: registry facts, health from its readiness probe, organizations by status and plan', async () => {
    type RegionView = {
      id: string;
      currency: string;
      complianceFramework: string;
      localDomain: string;
      health: { healthy: boolean; latencyMs: number | null; detail: string | null } | null;
      organizations: { total: number; byStatus: Record<string, number>; byPlan: Record<string, number> };
    };
    await signup('ca');
    cp.regions.us.mode = 'down';
    let res;
    try {
      res = await cp.client.get<{ items: RegionView[] }>('/v1/admin/regions', { token: adminToken });
    } finally {
      cp.regions.us.mode = 'up';
    }
    expect(res.status).toBe(200);
    const byId = Object.fromEntries(res.body.items.map((r) => [r.id, r]));
    expect(Object.keys(byId)).toEqual(expect.arrayContaining(['ca', 'in', 'us']));
    expect(byId.in).toMatchObject({ currency: 'INR', localDomain: 'in.localhost' });
    expect(byId.in.complianceFramework).toEqual(expect.any(String));
    expect(byId.ca.health).toMatchObject({ healthy: true, detail: null });
    expect(byId.us.health).toMatchObject({ healthy: false, detail: 'answered 503' });
    expect(byId.ca.organizations.total).toBeGreaterThanOrEqual(1);
    expect(byId.ca.organizations.byStatus.active).toBeGreaterThanOrEqual(1);
    expect(Object.values(byId.ca.organizations.byPlan).reduce((a, b) => a + b, 0)).toBe(byId.ca.organizations.total);
    expect(JSON.stringify(res.body)).not.toContain('apiUrl');
    const orgAdmin = await signup('in');
    expect((await cp.client.get('/v1/admin/regions', { token: orgAdmin.accessToken })).status).toBe(403);
  });

  it('shows each region as the gateways report seeing it (their breakers), kept in memory or in Redis, and unknown when Redis is down', async () => {
    type Seen = { id: string; gateways: { reporting: number; routing: number; ready: number } | null };
    const report = (on: TestControlPlane, id: string, regions: Record<string, { routing: boolean; ready: boolean }>, token = on.gatewayToken) =>
      on.client.put(
        `/internal/v1/gateways/${id}/view`,
        { at: new Date().toISOString(), regions: Object.fromEntries(Object.entries(regions).map(([k, v]) => [k, { ...v, probeFailures: v.routing ? 0 : 4 }])) },
        { headers: { [SERVICE_TOKEN_HEADER]: token } },
      );
    const seenBy = async (on: TestControlPlane, token: string) =>
      Object.fromEntries((await on.client.get<{ items: Seen[] }>('/v1/admin/regions', { token })).body.items.map((r) => [r.id, r.gateways]));

    // Without Redis: in this instance's memory.
    const gwA = unique('gw-a');
    expect((await seenBy(cp, adminToken)).ca).toEqual({ reporting: 0, routing: 0, ready: 0 });
    expect((await report(cp, gwA, { ca: { routing: true, ready: true }, in: { routing: false, ready: false } })).status).toBe(204);
    expect(await seenBy(cp, adminToken)).toMatchObject({ ca: { reporting: 1, routing: 1, ready: 1 }, in: { reporting: 1, routing: 0, ready: 0 } });
    // Only gateways report, and only views: the wrong credential, a bad id or a bad view are refused.
    expect((await report(cp, unique('gw'), { ca: { routing: true, ready: true } }, 'not-the-token')).status).toBe(401);
    expect((await cp.client.put(`/internal/v1/gateways/${unique('gw')}/view`, { at: 'now', regions: {} }, { headers: { [SERVICE_TOKEN_HEADER]: cp.gatewayToken } })).status).toBe(400);
    expect((await cp.client.put(`/internal/v1/gateways/${unique('gw')}/view`, { at: new Date().toISOString(), regions: { ca: { routing: 'yes' } } }, { headers: { [SERVICE_TOKEN_HEADER]: cp.gatewayToken } })).status).toBe(400);
    expect((await report(cp, 'gw%20a', { ca: { routing: true, ready: true } })).status).toBe(400);
    // A gateway that stops withdraws its view.
    expect((await cp.client.delete(`/internal/v1/gateways/${gwA}/view`, { headers: { [SERVICE_TOKEN_HEADER]: cp.gatewayToken } })).status).toBe(204);
    expect((await seenBy(cp, adminToken)).in).toEqual({ reporting: 0, routing: 0, ready: 0 });

    // With Redis (a database of this test's own): shared by the control plane's instances.
    const url = new URL(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    url.pathname = '/14';
    const redis = new Redis(url.toString());
    await redis.flushdb();
    const [one, two] = [await startTestControlPlane({ REDIS_URL: url.toString() }), await startTestControlPlane({ REDIS_URL: url.toString() })];
    try {
      const token = (await two.client.post<{ accessToken: string }>('/v1/auth/login', two.platformAdmin)).body.accessToken;
      expect((await report(one, 'gw-1', { ca: { routing: true, ready: true }, in: { routing: false, ready: false } })).status).toBe(204);
      expect((await report(two, 'gw-2', { ca: { routing: true, ready: false }, in: { routing: true, ready: true } })).status).toBe(204);
      expect(await seenBy(two, token)).toMatchObject({ ca: { reporting: 2, routing: 2, ready: 1 }, in: { reporting: 2, routing: 1, ready: 1 }, us: { reporting: 0, routing: 0, ready: 0 } });
      expect(await redis.pttl(`${GATEWAY_VIEW_PREFIX}gw-1`)).toBeGreaterThan(0); // expires unless renewed
    } finally {
      await one.close();
      await two.close();
      await redis.flushdb();
      redis.disconnect();
    }
    // Redis down: the page still answers, the gateways' view unknown (not "none").
    const redisDown = await startTestControlPlane({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const token = (await redisDown.client.post<{ accessToken: string }>('/v1/auth/login', redisDown.platformAdmin)).body.accessToken;
      const res = await redisDown.client.get<{ items: Seen[] }>('/v1/admin/regions', { token });
      expect(res.status).toBe(200);
      expect(res.body.items.map((r) => r.gateways)).toEqual(res.body.items.map(() => null));
    } finally {
      await redisDown.close();
    }
  });

  it('suspends with a reason, and is idempotent: suspending again or reactivating twice adds no audit event', async () => {
    type OrgState = { status: string; suspensionReason: string | null; suspendedAt: string | null; changed: boolean; regionSynced: boolean };
    const org = await signup('in');
    const url = `/v1/admin/organizations/${org.organizationId}`;
    const pushes = () => cp.regions.in.calls.filter((c) => c.method === 'PATCH' && c.url.endsWith(org.organizationId)).length;
    const events = async () => {
      const audit = await cp.client.get<{ action: string; targetId: string; details: Record<string, unknown> }[]>('/v1/admin/audit?limit=500', { token: adminToken });
      return audit.body.filter((e) => e.targetId === org.organizationId);
    };
    const reason = '  Unpaid invoices since March (ticket 4711)  ';

    // Concurrent clicks: one suspension, one event.
    const [first, second] = await Promise.all([
      cp.client.post<OrgState>(`${url}/suspend`, { reason }, { token: adminToken }),
      cp.client.post<OrgState>(`${url}/suspend`, { reason }, { token: adminToken }),
    ]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect([first.body.changed, second.body.changed].sort()).toEqual([false, true]);
    for (const res of [first, second]) expect(res.body).toMatchObject({ status: 'suspended', suspensionReason: 'Unpaid invoices since March (ticket 4711)' });
    expect((first.body.changed ? first : second).body.regionSynced).toBe(true);
    expect(first.body.suspendedAt).toBe(second.body.suspendedAt);
    const suspendedAt = first.body.suspendedAt;
    expect(suspendedAt).toEqual(expect.any(String));
    expect(pushes()).toBe(1);

    // Again, later, with another reason: the state as it is, the first reason kept, nothing recorded.
    const again = await cp.client.post<OrgState>(`${url}/suspend`, { reason: 'Another reason' }, { token: adminToken });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'suspended', changed: false, suspensionReason: 'Unpaid invoices since March (ticket 4711)', suspendedAt });
    expect((await cp.client.get<OrgState>(url, { token: adminToken })).body).toMatchObject({ status: 'suspended', suspensionReason: 'Unpaid invoices since March (ticket 4711)' });
    let mine = await events();
    expect(mine.map((e) => e.action)).toEqual(['organization.suspend']);
    expect(mine[0].details).toMatchObject({ from: 'active', reason: 'Unpaid invoices since March (ticket 4711)' });
    expect(pushes()).toBe(1);

    const reactivated = await cp.client.post<OrgState>(`${url}/reactivate`, undefined, { token: adminToken });
    expect(reactivated.body).toMatchObject({ status: 'active', changed: true, suspensionReason: null, suspendedAt: null });
    const twice = await cp.client.post<OrgState>(`${url}/reactivate`, undefined, { token: adminToken });
    expect(twice.status).toBe(200);
    expect(twice.body).toMatchObject({ status: 'active', changed: false });
    mine = await events();
    expect(mine.map((e) => e.action).sort()).toEqual(['organization.reactivate', 'organization.suspend']);
    expect(pushes()).toBe(2);

    // No body at all: suspended, no reason.
    const bare = await cp.client.post<OrgState>(`${url}/suspend`, undefined, { token: adminToken });
    expect(bare.body).toMatchObject({ status: 'suspended', changed: true, suspensionReason: null });
  });

  it('validates the reason of a suspension', async () => {
    const org = await signup('ca');
    const url = `/v1/admin/organizations/${org.organizationId}/suspend`;
    for (const body of [{ reason: 'x' }, { reason: '   ab   ' }, { reason: 'y'.repeat(501) }, { reason: 42 }, { reason: 'line one\nline two' }, { reason: 'ok reason', extra: true }]) {
      const res = await cp.client.post<{ status: string }>(url, body, { token: adminToken });
      expect(res.status).toBe(400);
    }
    expect((await cp.client.get<{ status: string }>(`/v1/admin/organizations/${org.organizationId}`, { token: adminToken })).body.status).toBe('active');
    expect((await cp.client.post(url, { reason: 'z'.repeat(500) }, { token: adminToken })).status).toBe(200);
  });

  it('keeps a suspension the region missed and pushes it when the region is back', async () => {
    const org = await signup('us');
    cp.regions.us.mode = 'down';
    const res = await cp.client.post<{ regionSynced: boolean }>(`/v1/admin/organizations/${org.organizationId}/suspend`, {}, { token: adminToken });
    expect(res.body.regionSynced).toBe(false);
    cp.regions.us.mode = 'up';
    await cp.tick();
    const c = new Client({ connectionString: cpDb().adminUrl });
    await c.connect();
    const row = (await c.query('select region_sync_pending from organizations where id = $1', [org.organizationId])).rows[0];
    await c.end();
    expect(row.region_sync_pending).toBe(false);
  });

  it('lets an org admin add a doctor with a temporary password that must be changed', async () => {
    const org = await signup('in');
    const res = await cp.client.post<{ userId: string; temporaryPassword: string; email: string }>(
      '/v1/members',
      { name: 'Dr Meera', email: `meera-${org.slug}@example.test`, role: 'doctor', clinicIds: [org.clinicId] },
      { token: org.accessToken },
    );
    expect(res.status).toBe(201);
    const call = cp.regions.in.calls.find((c) => c.method === 'PUT' && c.url.includes(res.body.userId));
    expect(call?.body).toMatchObject({ role: 'doctor', clinicIds: [org.clinicId] });
    const first = await cp.client.post<{ code: string }>('/v1/auth/login', { email: res.body.email, password: res.body.temporaryPassword });
    expect(first.status).toBe(403);
    expect(first.body.code).toBe('PASSWORD_CHANGE_REQUIRED');
    const newPassword = 'meera chooses her own 77';
    expect((await cp.client.post('/v1/auth/password', { email: res.body.email, currentPassword: res.body.temporaryPassword, newPassword })).status).toBe(204);
    const login = await cp.client.post<{ accessToken: string }>('/v1/auth/login', { email: res.body.email, password: newPassword });
    expect(login.status).toBe(200);
    const claims = JSON.parse(Buffer.from(login.body.accessToken.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ role: 'doctor', org: org.organizationId, region: 'in' });
    // Doctors do not add members.
    expect((await cp.client.post('/v1/members', { name: 'x', email: 'x@example.test', role: 'staff', clinicIds: [] }, { token: login.body.accessToken })).status).toBe(403);

    // The platform admin sees how many members the org has, by role, and never who they are.
    const seen = await cp.client.get<{ plan: string; limits: Record<string, number | null>; members: { active: number; inactive: number; byRole: Record<string, number> } }>(`/v1/admin/organizations/${org.organizationId}`, { token: adminToken });
    expect(seen.body.members).toEqual({ active: 2, inactive: 0, byRole: { doctor: 1, org_admin: 1 } });
    // With its plan's limits (a new org is on the trial).
    expect(seen.body).toMatchObject({ plan: 'trial', limits: { maxDoctors: 5, maxPatients: 1000, maxClinics: 1, maxStorageMb: 1000 } });
    expect(JSON.stringify(seen.body)).not.toContain(res.body.email);
  });

  it('leaves no half-created member when the region is down', async () => {
    const org = await signup('ca');
    cp.regions.ca.mode = 'down';
    const email = `ghost-${org.slug}@example.test`;
    try {
      const res = await cp.client.post<{ code: string }>('/v1/members', { name: 'Ghost', email, role: 'staff', clinicIds: [] }, { token: org.accessToken });
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('REGION_UNAVAILABLE');
    } finally {
      cp.regions.ca.mode = 'up';
    }
    const members = await cp.client.get<{ email: string }[]>('/v1/members', { token: org.accessToken });
    expect(members.body.map((m) => m.email)).not.toContain(email);
    // The same email works once the region is back.
    expect((await cp.client.post('/v1/members', { name: 'Ghost', email, role: 'staff', clinicIds: [] }, { token: org.accessToken })).status).toBe(201);
  });

  it('resolves hosts and slugs for the gateway, behind the service credential', async () => {
    const org = await signup('in');
    const headers = { [SERVICE_TOKEN_HEADER]: cp.gatewayToken };
    const byHost = await cp.client.get(`/internal/v1/registry/lookup?host=${org.slug}.in.localhost:8080`, { headers });
    expect(byHost.body).toMatchObject({ organizationId: org.organizationId, regionId: 'in', hostRegionId: 'in', status: 'active' });
    const prod = await cp.client.get(`/internal/v1/registry/lookup?host=${org.slug}.medgenie.ca`, { headers });
    expect(prod.body).toMatchObject({ regionId: 'in', hostRegionId: 'ca' });
    expect((await cp.client.get(`/internal/v1/registry/lookup?slug=${org.slug}`, { headers })).status).toBe(200);
    expect((await cp.client.get('/internal/v1/registry/lookup?host=nobody.in.localhost', { headers })).status).toBe(404);
    const domains = await cp.client.patch(`/v1/admin/organizations/${org.organizationId}/domains`, { domains: [`care.${org.slug}.example`] }, { token: adminToken });
    expect(domains.status).toBe(200);
    // A custom domain serves only once verified (domains.int-spec.ts has the rules).
    expect((await cp.client.post(`/v1/admin/organizations/${org.organizationId}/domains/care.${org.slug}.example/verify`, { force: true }, { token: adminToken })).status).toBe(200);
    const custom = await cp.client.get(`/internal/v1/registry/lookup?host=care.${org.slug}.example`, { headers });
    expect(custom.body).toMatchObject({ organizationId: org.organizationId, hostRegionId: null });
    const other = await signup('ca');
    const taken = await cp.client.patch(`/v1/admin/organizations/${other.organizationId}/domains`, { domains: [`care.${org.slug}.example`] }, { token: adminToken });
    expect(taken.status).toBe(409);
    expect((await cp.client.get(`/internal/v1/registry/lookup?slug=${org.slug}`)).status).toBe(401);
    expect((await cp.client.get(`/internal/v1/registry/lookup?slug=${org.slug}`, { token: adminToken })).status).toBe(401);
  });
});
