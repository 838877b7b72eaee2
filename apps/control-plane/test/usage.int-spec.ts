import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { UsageRow } from '../src/usage/usage.repository';
import { UsageService } from '../src/usage/usage.service';
import { StubRegion } from './stub-region';
import { cpDb, signupBody, startTestControlPlane, TestControlPlane, unique } from './support';

type Counts = Omit<UsageRow, 'orgId'>;

// What a careless region might send along: none of it may reach the control plane's database.
const PATIENT_NAME = 'Zebulon Quixotic';
const PATIENT_PHONE = '+919876501234';

/**
 * A region's usage report at its HTTP boundary: the stub region (provisioning, for the signups the
 * admin-only case needs) answering `GET /internal/v1/usage` from `counts`, with patient data
 * attached to its answer, which the control plane must never keep.
 */
class UsageRegion extends StubRegion {
  counts = new Map<string, Counts>();
  usageCalls: { orgIds: string[]; date: string | null; token: string | undefined }[] = [];

  set down(down: boolean) {
    this.mode = down ? 'down' : 'up';
  }

  constructor() {
    super();
    this.answer = (call) => {
      const url = new URL(call.url, 'http://stub');
      if (call.method !== 'GET' || url.pathname !== '/internal/v1/usage') return undefined;
      const orgIds = (url.searchParams.get('orgIds') ?? '').split(',');
      const date = url.searchParams.get('date');
      this.usageCalls.push({ orgIds, date, token: call.serviceToken });
      const organizations = orgIds
        .filter((id) => this.counts.has(id))
        .map((orgId) => {
          const { apiRequests, ...rest } = this.counts.get(orgId)!;
          return { orgId, ...rest, apiRequests: { date, count: apiRequests }, lastPatient: { name: PATIENT_NAME, mobileNumber: PATIENT_PHONE } };
        });
      const unknown = orgIds.filter((id) => !this.counts.has(id));
      return { status: 200, body: { regionId: 'x', date, organizations, unknown, note: `${PATIENT_NAME} ${PATIENT_PHONE}` } };
    };
  }
}

async function withAdmin<T>(work: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: cpDb().adminUrl });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

/** An organization in the registry (the region side is the stub's). */
async function insertOrg(regionId: string, plan: string, status = 'active'): Promise<string> {
  const id = randomUUID();
  const slug = unique('usage').toLowerCase();
  await withAdmin((c) =>
    c.query(
      `INSERT INTO organizations (id, slug, name, region_id, plan, status, primary_clinic_id, primary_clinic_name)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'Main Clinic')`,
      [id, slug, `Org ${slug}`, regionId, plan, status, randomUUID()],
    ),
  );
  return id;
}

const counts = (n: number): Counts => ({ doctors: n, patients: n * 100, clinics: 1, staff: n + 1, storageBytes: n * 1_000_000, apiRequests: n * 50 });

interface UsageDay extends Counts {
  date: string;
  regionId: string;
  plan: string;
}

describe('usage history in the control plane', () => {
  let cp: TestControlPlane;
  let token: string;
  const regions = { in: new UsageRegion(), ca: new UsageRegion(), us: new UsageRegion() };
  let a: string; // in, trial
  let b: string; // in, basic
  let c: string; // ca, basic
  let suspended: string; // in, trial, not collected
  const at = (iso: string) => {
    cp.app.get(UsageService).clock = () => new Date(iso);
  };
  const collect = () => cp.client.post<{ date: string; regions: { regionId: string; organizations: number; error?: string }[] }>('/v1/admin/usage/collect', {}, { token });

  beforeAll(async () => {
    await Promise.all(Object.values(regions).map((r) => r.start()));
    cp = await startTestControlPlane({ REGION_API_URLS: JSON.stringify(Object.fromEntries(Object.entries(regions).map(([id, r]) => [id, r.url]))) });
    token = (await cp.client.post<{ accessToken: string }>('/v1/auth/login', cp.platformAdmin)).body.accessToken;
    [a, b, c, suspended] = [await insertOrg('in', 'trial'), await insertOrg('in', 'basic'), await insertOrg('ca', 'basic'), await insertOrg('in', 'trial', 'suspended')];
    regions.in.counts.set(a, counts(1)).set(b, counts(2)).set(suspended, counts(9));
    regions.ca.counts.set(c, counts(3));
  });
  afterAll(async () => {
    await cp?.close();
    await Promise.all(Object.values(regions).map((r) => r.stop()));
  });

  it('collects every active org of every region on demand, with the service credential, and keeps a row per org per day', async () => {
    at('2031-03-01T10:00:00Z');
    const res = await collect();
    expect(res.status).toBe(200);
    expect(res.body.date).toBe('2031-03-01');
    expect(res.body.regions.find((r) => r.regionId === 'in')).toMatchObject({ organizations: 2 });
    expect(res.body.regions.find((r) => r.regionId === 'ca')).toMatchObject({ organizations: 1 });
    const asked = regions.in.usageCalls.flatMap((call) => call.orgIds);
    expect(asked).toEqual(expect.arrayContaining([a, b]));
    expect(asked).not.toContain(suspended);
    expect(regions.in.usageCalls.every((call) => call.date === '2031-03-01' && typeof call.token === 'string' && call.token.length > 0)).toBe(true);

    // Later the same day: the day's row is replaced, not added to.
    regions.in.counts.set(a, counts(4));
    at('2031-03-01T23:00:00Z');
    expect((await collect()).status).toBe(200);
    // The next two days, as the schedule would.
    regions.in.counts.set(a, counts(5));
    at('2031-03-02T01:00:00Z');
    await collect();
    regions.in.counts.set(a, counts(6));
    at('2031-03-03T01:00:00Z');
    await collect();

    const usage = await cp.client.get<{ latest: UsageDay; series: UsageDay[] }>(`/v1/admin/organizations/${a}/usage?from=2031-03-01&to=2031-03-02`, { token });
    expect(usage.status).toBe(200);
    expect(usage.body.series.map((d) => [d.date, d.doctors, d.patients])).toEqual([
      ['2031-03-01', 4, 400],
      ['2031-03-02', 5, 500],
    ]);
    expect(usage.body.latest).toMatchObject({ date: '2031-03-03', regionId: 'in', plan: 'trial', ...counts(6) });
    // Default range: the 30 days up to the clock's today.
    const recent = await cp.client.get<{ series: UsageDay[] }>(`/v1/admin/organizations/${a}/usage`, { token });
    expect(recent.body.series.map((d) => d.date)).toEqual(['2031-03-01', '2031-03-02', '2031-03-03']);
  });

  it('answers an org’s counts now from its region beside its kept days, and the kept days alone while the region is down', async () => {
    type WithCurrent = { series: UsageDay[]; current: (Counts & { at: string }) | null; currentUnavailable: string | null };
    at('2031-03-03T12:00:00Z');
    regions.in.counts.set(a, counts(7));
    const live = await cp.client.get<WithCurrent>(`/v1/admin/organizations/${a}/usage`, { token });
    expect(live.status).toBe(200);
    expect(live.body.current).toEqual({ ...counts(7), at: '2031-03-03T12:00:00.000Z' });
    expect(live.body.currentUnavailable).toBeNull();
    // Nothing asked of the region is kept: the day's row is still the collected one.
    expect(live.body.series.find((d) => d.date === '2031-03-03')).toMatchObject(counts(6));
    expect(regions.in.usageCalls.at(-1)).toMatchObject({ orgIds: [a], date: '2031-03-03' });

    regions.in.down = true;
    try {
      const down = await cp.client.get<WithCurrent>(`/v1/admin/organizations/${a}/usage`, { token });
      expect(down.status).toBe(200);
      expect(down.body.current).toBeNull();
      expect(down.body.currentUnavailable).toMatch(/Region in is unavailable/);
      expect(down.body.series.map((d) => d.date)).toEqual(['2031-03-01', '2031-03-02', '2031-03-03']);
    } finally {
      regions.in.down = false;
    }
    // An org its region does not know (yet): no counts, and why.
    const unknown = await cp.client.get<WithCurrent>(`/v1/admin/organizations/${b}/usage`, { token });
    regions.in.counts.delete(b);
    const forgotten = await cp.client.get<WithCurrent>(`/v1/admin/organizations/${b}/usage`, { token });
    regions.in.counts.set(b, counts(2));
    expect(unknown.body.current).toMatchObject(counts(2));
    expect(forgotten.body).toMatchObject({ current: null, currentUnavailable: expect.stringMatching(/does not know/) });
  });

  it('sums a day per region and per plan (the plan as it was that day)', async () => {
    at('2031-04-01T10:00:00Z');
    regions.in.counts.set(a, counts(1));
    await collect();
    await withAdmin((client) => client.query(`UPDATE organizations SET plan = 'premium' WHERE id = $1`, [a]));
    const byRegion = await cp.client.get<{ groups: ({ key: string; organizations: number } & Counts)[] }>('/v1/admin/usage/aggregates?by=region&date=2031-04-01', { token });
    expect(byRegion.status).toBe(200);
    const region = Object.fromEntries(byRegion.body.groups.map((g) => [g.key, g]));
    expect(region.in).toMatchObject({ organizations: 2, doctors: 3, patients: 300, staff: 5, storageBytes: 3_000_000, apiRequests: 150 });
    expect(region.ca).toMatchObject({ organizations: 1, doctors: 3, patients: 300 });
    const byPlan = await cp.client.get<{ groups: ({ key: string; organizations: number } & Counts)[] }>('/v1/admin/usage/aggregates?by=plan&date=2031-04-01', { token });
    const plan = Object.fromEntries(byPlan.body.groups.map((g) => [g.key, g]));
    expect(plan.trial).toMatchObject({ organizations: 1, doctors: 1 });
    expect(plan.basic).toMatchObject({ organizations: 2, doctors: 5, patients: 500 });
    expect(plan.premium).toBeUndefined();
    expect((await cp.client.get('/v1/admin/usage/aggregates?by=clinic', { token })).status).toBe(400);
  });

  it('charts usage and revenue per day and region or plan, revenue as each day had it', async () => {
    // c (ca, basic) pays CA$49.99 a month from the second day; a's yearly plan is a twelfth a month (in whole paise, as billing counts it).
    at('2031-06-01T10:00:00Z');
    await collect();
    await withAdmin((client) =>
      client.query(
        `INSERT INTO organization_billing (organization_id, subscription_status, currency, unit_amount, billing_interval, quantity)
         VALUES ($1, 'active', 'cad', 4999, 'monthly', 1), ($2, 'active', 'inr', 2999000, 'yearly', 1)`,
        [c, a],
      ),
    );
    at('2031-06-02T10:00:00Z');
    await collect();
    type History = {
      from: string;
      to: string;
      usage: { date: string; key: string; organizations: number; doctors: number }[];
      revenue: { date: string; key: string; currency: string; organizations: number; mrr: number }[];
    };
    const byRegion = await cp.client.get<History>('/v1/admin/usage/history?by=region&from=2031-06-01&to=2031-06-02', { token });
    expect(byRegion.status).toBe(200);
    expect(byRegion.body.usage.map((u) => [u.date, u.key, u.organizations])).toEqual([
      ['2031-06-01', 'ca', 1],
      ['2031-06-01', 'in', 2],
      ['2031-06-02', 'ca', 1],
      ['2031-06-02', 'in', 2],
    ]);
    expect(byRegion.body.revenue).toEqual([
      { date: '2031-06-02', key: 'ca', currency: 'cad', organizations: 1, mrr: 4999 },
      { date: '2031-06-02', key: 'in', currency: 'inr', organizations: 1, mrr: 249916 },
    ]);
    const byPlan = await cp.client.get<History>('/v1/admin/usage/history?by=plan&from=2031-06-02&to=2031-06-02', { token });
    expect(byPlan.body.revenue.map((r) => [r.key, r.currency, r.mrr])).toEqual([
      ['basic', 'cad', 4999],
      ['premium', 'inr', 249916],
    ]);
    // Default range: the 30 days up to today.
    const recent = await cp.client.get<History>('/v1/admin/usage/history?by=region', { token });
    expect([recent.body.from, recent.body.to]).toEqual(['2031-05-03', '2031-06-02']);
    for (const bad of ['by=clinic', 'by=region&from=2031-06-03&to=2031-06-01', 'by=region&from=2030-01-01&to=2031-06-01', 'by=region&from=2031-02-30', 'by=region&to=june']) {
      expect((await cp.client.get(`/v1/admin/usage/history?${bad}`, { token })).status).toBe(400);
    }
    await withAdmin((client) => client.query(`DELETE FROM organization_billing WHERE organization_id = any($1::uuid[])`, [[a, c]]));
  });

  it('goes on with the other regions when one is down, and says which', async () => {
    at('2031-05-01T10:00:00Z');
    regions.ca.down = true;
    try {
      const res = await collect();
      expect(res.status).toBe(200);
      expect(res.body.regions.find((r) => r.regionId === 'ca')?.error).toMatch(/unavailable/);
      expect(res.body.regions.find((r) => r.regionId === 'in')).toMatchObject({ organizations: 2 });
    } finally {
      regions.ca.down = false;
    }
  });

  it('is for platform admins only', async () => {
    const signup = await cp.client.post<{ accessToken: string }>('/v1/signup', signupBody({ regionId: 'us' }));
    expect(signup.status).toBe(201);
    expect((await cp.client.post('/v1/admin/usage/collect', {})).status).toBe(401);
    expect((await cp.client.get(`/v1/admin/organizations/${a}/usage`, { token: signup.body.accessToken })).status).toBe(403);
    expect((await cp.client.post('/v1/admin/usage/collect', {}, { token: signup.body.accessToken })).status).toBe(403);
    expect((await cp.client.get(`/v1/admin/organizations/${randomUUID()}/usage`, { token })).status).toBe(404);
  });

  it('keeps no patient data: the control plane database holds neither the name nor the phone a region sent along', async () => {
    at('2031-06-01T10:00:00Z');
    expect((await collect()).status).toBe(200);
    // Every row of every table, as text (query_to_xml), searched in the database for each needle.
    const found = await withAdmin(async (client) => {
      const tables = (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`)).rows[0].n;
      const hits: string[] = [];
      // The scan itself works: it finds an org's id in the registry and the usage history.
      for (const needle of [a, PATIENT_NAME, 'Zebulon', PATIENT_PHONE, '9876501234']) {
        const { rows } = await client.query<{ name: string }>(
          `SELECT t.table_schema || '.' || t.table_name AS name
             FROM information_schema.tables t
            WHERE t.table_schema NOT IN ('pg_catalog', 'information_schema') AND t.table_type = 'BASE TABLE'
              AND strpos(lower(query_to_xml(format('SELECT * FROM %I.%I', t.table_schema, t.table_name), true, false, '')::text), lower($1)) > 0`,
          [needle],
        );
        hits.push(...rows.map((r) => `${r.name}: ${needle}`));
      }
      return { tables, hits };
    });
    expect(found.tables).toBeGreaterThan(5);
    expect(found.hits).toEqual(expect.arrayContaining([`public.organizations: ${a}`, `public.usage_daily: ${a}`]));
    expect(found.hits.filter((hit) => !hit.endsWith(a))).toEqual([]);
    const stored = await withAdmin(async (client) => (await client.query('SELECT count(*)::int AS n FROM usage_daily WHERE organization_id = $1', [a])).rows[0].n as number);
    expect(stored).toBeGreaterThanOrEqual(5);
  });
});
