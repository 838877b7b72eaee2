import { randomUUID } from 'node:crypto';
import { TestOrg } from '@medgenie/testing';
import { withClient, snapshotOrg, tenantTables } from './db';
import { startTestRegion, testDb, TestRegion } from './support';

/**
 * The isolation matrix. Each route the API serves must have a case here; the cases are
 * generated from the live route table, so a new route without one fails the suite.
 *
 * - `foreign-id`: org B's admin calls the route with org A's id: 404, and A is unchanged.
 * - `collection`: org B lists or creates: only B's rows come back, and A is unchanged.
 * - `own-org`: the route acts on the caller's organization: B gets B, and A is unchanged.
 * - `service`: control-plane routes: a user token (even an admin's) is refused with 401.
 * - `public`: no tenant data behind it.
 */
type Resource = 'patient' | 'clinic' | 'membership';
type Case =
  | { kind: 'foreign-id'; resource: Resource; body?: unknown }
  | { kind: 'collection'; body?: unknown; listKey?: 'items' }
  | { kind: 'own-org'; body?: unknown }
  | { kind: 'service'; body?: unknown }
  | { kind: 'public'; reason: string };

const CASES: Record<string, Case> = {
  'GET /healthz': { kind: 'public', reason: 'liveness, no data' },
  'GET /readyz': { kind: 'public', reason: 'readiness, no data' },
  'GET /openapi.json': { kind: 'public', reason: 'API description, no data' },

  'GET /v1/organization': { kind: 'own-org' },
  'PATCH /v1/organization/settings': { kind: 'own-org', body: { branding: { displayName: 'Changed by B' }, timezone: 'Asia/Kolkata' } },

  'POST /v1/clinics': { kind: 'collection', body: { name: 'B Clinic', code: 'B-CLINIC' } },
  'GET /v1/clinics': { kind: 'collection' },
  'GET /v1/clinics/:id': { kind: 'foreign-id', resource: 'clinic' },
  'PATCH /v1/clinics/:id': { kind: 'foreign-id', resource: 'clinic', body: { name: 'Hijacked' } },
  'DELETE /v1/clinics/:id': { kind: 'foreign-id', resource: 'clinic' },

  'GET /v1/memberships': { kind: 'collection' },
  'GET /v1/memberships/:id': { kind: 'foreign-id', resource: 'membership' },

  'POST /v1/patients': { kind: 'collection', body: { firstName: 'Bea', lastName: 'Other', mobileNumber: '+15550001111' } },
  'GET /v1/patients': { kind: 'collection', listKey: 'items' },
  'GET /v1/patients/:id': { kind: 'foreign-id', resource: 'patient' },
  'PATCH /v1/patients/:id': { kind: 'foreign-id', resource: 'patient', body: { lastName: 'Hijacked' } },
  'DELETE /v1/patients/:id': { kind: 'foreign-id', resource: 'patient' },

  'POST /internal/v1/organizations': { kind: 'service', body: {} },
  'PATCH /internal/v1/organizations/:orgId': { kind: 'service', body: { status: 'suspended' } },
  'PUT /internal/v1/organizations/:orgId/memberships/:userId': { kind: 'service', body: { role: 'org_admin', displayName: 'x', clinicIds: [] } },
};

describe('organization isolation', () => {
  let region: TestRegion;
  let a: TestOrg;
  let b: TestOrg;
  const aIds: Record<Resource, string> = { patient: '', clinic: '', membership: '' };
  const aPatientIds: string[] = [];

  beforeAll(async () => {
    region = await startTestRegion();
    [a, b] = await Promise.all([region.createOrg({ extraClinics: 1 }), region.createOrg()]);
    const staff = await a.addMember('staff', [a.clinicIds[1]]);
    for (const [org, names] of [
      [a, ['Anil', 'Asha', 'Arjun']],
      [b, ['Bela', 'Bharat']],
    ] as const) {
      for (const [i, name] of names.entries()) {
        const res = await region.client.post<{ id: string }>(
          '/v1/patients',
          { firstName: name, lastName: 'Common', mobileNumber: `+9190000000${i}` },
          { token: org.admin.token },
        );
        expect(res.status).toBe(201);
        if (org === a) aPatientIds.push(res.body.id);
      }
    }
    aIds.patient = aPatientIds[0];
    aIds.clinic = a.clinicIds[1];
    aIds.membership = staff.membershipId;
  });
  afterAll(() => region?.close());

  it('has a case for every route the API serves', () => {
    const served = region.routes.map((r) => `${r.method} ${r.url}`);
    expect(served.length).toBeGreaterThan(10);
    const missing = served.filter((key) => !CASES[key]);
    expect(missing).toEqual([]);
  });

  it('has no case for a route that does not exist', () => {
    const served = new Set(region.routes.map((r) => `${r.method} ${r.url}`));
    expect(Object.keys(CASES).filter((key) => !served.has(key))).toEqual([]);
  });

  // One test per case; the two tests above tie the cases to the live route table.
  it.each(Object.entries(CASES))('%s', async (key, testCase) => {
    expect(await check(key, testCase)).toBeNull();
  });

  async function check(key: string, testCase: Case): Promise<string | null> {
    const [method, template] = key.split(' ');
    const before = await snapshotOrg(testDb().adminUrl, a.orgId);
    const failure = await run(method, template, testCase);
    if (failure) return failure;
    const after = await snapshotOrg(testDb().adminUrl, a.orgId);
    return JSON.stringify(after) === JSON.stringify(before) ? null : "org A's data changed";
  }

  async function run(method: string, template: string, testCase: Case): Promise<string | null> {
    const token = b.admin.token;
    switch (testCase.kind) {
      case 'public': {
        const res = await region.client.request(method, template);
        return res.status === 200 ? null : `public route answered ${res.status}`;
      }
      case 'service': {
        const url = template.replace(':orgId', a.orgId).replace(':userId', randomUUID());
        const res = await region.client.request(method, url, { token, body: testCase.body });
        return res.status === 401 ? null : `a user token on a service route answered ${res.status}`;
      }
      case 'foreign-id': {
        const url = template.replace(':id', aIds[testCase.resource]);
        const res = await region.client.request(method, url, { token, body: testCase.body });
        if (res.status !== 404) return `B on A's ${testCase.resource} answered ${res.status}, not 404`;
        const body = res.body as { statusCode?: number; message?: string };
        return body.statusCode === 404 ? null : 'the 404 is not a JSON error';
      }
      case 'own-org': {
        const res = await region.client.request<{ id: string }>(method, template, { token, body: testCase.body });
        if (res.status !== 200) return `answered ${res.status}`;
        return res.body.id === b.orgId ? null : "B was answered with another org's record";
      }
      case 'collection': {
        const res = await region.client.request<unknown>(method, template, { token, body: testCase.body });
        if (method === 'POST') {
          if (res.status !== 201) return `create answered ${res.status}`;
          const id = (res.body as { id: string }).id;
          const owner = await ownerOf(id);
          return owner === b.orgId ? null : `created row belongs to ${owner}`;
        }
        if (res.status !== 200) return `list answered ${res.status}`;
        const rows = (testCase.listKey ? (res.body as Record<string, unknown[]>)[testCase.listKey] : res.body) as { id: string }[];
        if (rows.length === 0) return "B's own rows are missing from the list";
        for (const row of rows) {
          const owner = await ownerOf(row.id);
          if (owner !== b.orgId) return `list returned a row of ${owner}`;
        }
        return null;
      }
    }
  }

  async function ownerOf(id: string): Promise<string | null> {
    return withClient(testDb().adminUrl, async (c) => {
      for (const table of ['patients', 'clinics', 'memberships']) {
        const sql = `select organization_id from ${table} where id = $1`;
        const { rows } = await c.query(sql, [id]);
        if (rows[0]) return rows[0].organization_id as string;
      }
      return null;
    });
  }

  it('shows nothing to the app role without a tenant context', async () => {
    const tables = await tenantTables(testDb().adminUrl);
    const counts = await withClient(testDb().appUrl, async (c) => {
      const out: Record<string, number> = {};
      for (const table of tables) {
        const sql = `select count(*)::int as n from ${table}`;
        out[table] = Number((await c.query(sql)).rows[0].n);
      }
      return out;
    });
    const totals = await withClient(testDb().adminUrl, async (c) => Number((await c.query('select count(*)::int as n from patients')).rows[0].n));
    expect(totals).toBeGreaterThan(0);
    expect(Object.values(counts).every((n) => n === 0)).toBe(true);
  });

  it("refuses an insert or update that carries another org's id (WITH CHECK)", async () => {
    await withClient(testDb().appUrl, async (c) => {
      await c.query('begin');
      await c.query("select set_config('app.org_id', $1, true), set_config('app.clinic_ids', '*', true)", [b.orgId]);
      await expect(
        c.query(`insert into patients (organization_id, id, first_name, last_name, mobile_number) values ($1, $2, 'X', 'Y', '+15550009999')`, [
          a.orgId,
          randomUUID(),
        ]),
      ).rejects.toMatchObject({ code: '42501' });
      await c.query('rollback');

      await c.query('begin');
      await c.query("select set_config('app.org_id', $1, true)", [b.orgId]);
      await expect(c.query('update patients set organization_id = $1 where organization_id = $2', [a.orgId, b.orgId])).rejects.toMatchObject({
        code: '42501',
      });
      await c.query('rollback');

      await c.query('begin');
      await c.query("select set_config('app.org_id', $1, true)", [b.orgId]);
      const updated = await c.query('update patients set last_name = $1 where organization_id = $2', ['Hijacked', a.orgId]);
      expect(updated.rowCount).toBe(0);
      const deleted = await c.query('delete from patients where id = any($1::uuid[])', [aPatientIds]);
      expect(deleted.rowCount).toBe(0);
      await c.query('rollback');
    });
  });

  it("searching by a name both orgs hold returns only the caller's patients", async () => {
    const res = await region.client.get<{ items: { id: string }[] }>('/v1/patients?search=common', { token: b.admin.token });
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(2);
    expect(res.body.items.some((p) => aPatientIds.includes(p.id))).toBe(false);
  });
});
