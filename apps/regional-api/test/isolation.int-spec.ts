import { randomUUID } from 'node:crypto';
import { TestOrg } from '@medgenie/testing';
import { placesOf, snapshotOrg, tenantTables, withClient } from './db';
import { casesByRoute } from './isolation/case-sets';
import { bodyOf, Case, fillPath, Ids, requestOf } from './isolation/matrix';
import { seedOrgMatrix } from './isolation/seed';
import { startTestRegion, testDb, TestRegion } from './support';

/**
 * The isolation matrix. Each route the API serves must have a case; the cases live beside each
 * feature in `test/isolation/*.cases.ts` (see matrix.ts for the kinds) and are tied here to the
 * live route table, so a new route without a case fails the suite. The clinic tier's matrix, from
 * the same files, is clinic-isolation.int-spec.ts.
 */
const CASES = casesByRoute((set) => set.cases);
/** One test per case: the route's key, and the kind when a route has several cases. */
const CASE_LIST: [string, string, Case][] = Object.entries(CASES).flatMap(([key, list]) =>
  list.map((testCase): [string, string, Case] => [list.length > 1 ? `${key} (${testCase.kind})` : key, key, testCase]),
);

describe('organization isolation', () => {
  let region: TestRegion;
  let a: TestOrg;
  let b: TestOrg;
  let ids: Ids;
  let aPatientIds: string[];

  beforeAll(async () => {
    region = await startTestRegion();
    ({ a, b, ids, aPatientIds } = await seedOrgMatrix(region));
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
  it.each(CASE_LIST)('%s', async (_name, key, testCase) => {
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
        const { url, ...request } = requestOf(fillPath(template, testCase.params ?? { id: testCase.resource }, ids.a), testCase, ids);
        const res = await region.client.request(method, url, { token, ...request });
        if (res.status !== 404) return `B on A's ${testCase.resource} answered ${res.status}, not 404`;
        const body = res.body as { statusCode?: number; message?: string };
        return body.statusCode === 404 ? null : 'the 404 is not a JSON error';
      }
      case 'foreign-reference': {
        const { url, ...request } = requestOf(fillPath(template, testCase.params ?? {}, ids.b), testCase, ids);
        const res = await region.client.request(method, url, { token, ...request });
        const expected = testCase.status ?? 404;
        return res.status === expected ? null : `a reference to A's rows answered ${res.status}, not ${expected}`;
      }
      case 'own-org': {
        const res = await region.client.request<{ id?: string }>(method, template, { token, body: bodyOf(testCase.body, ids) });
        if (res.status !== 200) return `answered ${res.status}`;
        // An answer about the caller that is no record (GET /v1/features: flags by name) has no id, and must not show A's.
        if (res.body.id === undefined) return JSON.stringify(res.body).includes(a.orgId) ? "B was answered with A's id" : null;
        return res.body.id === b.orgId ? null : "B was answered with another org's record";
      }
      case 'collection': {
        const { url, ...request } = requestOf(fillPath(template, testCase.params ?? {}, ids.b), testCase, ids);
        const res = await region.client.request<unknown>(method, url, { token, ...request });
        if (method === 'POST' || method === 'PUT') {
          const expected = testCase.status ?? 201;
          if (res.status !== expected) return `create answered ${res.status}: ${JSON.stringify(res.body)}`;
          const id = (res.body as { id: string }).id;
          const owner = (await ownersOf([id])).get(id);
          return owner === b.orgId ? null : `created row belongs to ${owner}`;
        }
        if (res.status !== (testCase.status ?? 200)) return `list answered ${res.status}`;
        const rows = (testCase.listKey ? (res.body as Record<string, unknown[]>)[testCase.listKey] : res.body) as { id: string }[];
        if (rows.length === 0) return "B's own rows are missing from the list";
        const owners = await ownersOf(rows.map((row) => row.id));
        const foreign = rows.find((row) => owners.get(row.id) !== b.orgId && owners.get(row.id) !== GLOBAL);
        return foreign ? `list returned a row of ${owners.get(foreign.id) ?? 'no known table'}` : null;
      }
    }
  }

  /** Rows with no organization (the global medicine catalogue) are everyone's. */
  const GLOBAL = 'global';

  /** The org that owns each row with these ids, in any tenant table of the registry. */
  async function ownersOf(rowIds: string[]): Promise<Map<string, string>> {
    const places = await placesOf(testDb().adminUrl, rowIds);
    return new Map([...places].map(([id, place]) => [id, place.org ?? GLOBAL]));
  }

  it('shows nothing to the app role without a tenant context', async () => {
    const tables = tenantTables();
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
