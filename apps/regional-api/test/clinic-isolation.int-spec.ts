import { SERVICE_TOKEN_HEADER } from '@medgenie/contracts';
import { TestOrg } from '@medgenie/testing';
import { CLINIC_TABLES, tenantTable } from '../src/database/tenant-tables';
import { addDoctor, createPatient } from './booking-support';
import { placesOf, snapshotClinic, withClient } from './db';
import { CASE_SETS, casesByRoute } from './isolation/case-sets';
import { ClinicCase, ClinicContext, ClinicRequest, fillPath, Ids, requestOf } from './isolation/matrix';
import { seedOrgMatrix } from './isolation/seed';
import { startTestRegion, testDb, TestRegion } from './support';

/**
 * The clinic tier's isolation matrix: the organization matrix's guarantee, one tier down. Every
 * route the API serves is attacked by a member of org A granted A's first clinic only (a doctor,
 * or a staff member), at the rows of A's second clinic; the cases are each case set's `clinic`
 * record (see ClinicCase in isolation/matrix.ts), tied here to the live route table, so a route
 * without a clinic-tier case fails the suite. After each case the second clinic's rows, in every
 * table the registry of tenant tables places in a clinic, must be as they were.
 */
const CASES = casesByRoute((set) => set.clinic.cases);
const CASE_LIST: [string, string, ClinicCase][] = Object.entries(CASES).flatMap(([key, list]) =>
  list.map((testCase, i): [string, string, ClinicCase] => [list.length > 1 ? `${key} #${i + 1} (${testCase.kind})` : key, key, testCase]),
);

type Snapshot = Record<string, Record<string, unknown>[]>;

describe('clinic isolation', () => {
  let region: TestRegion;
  let a: TestOrg;
  let attackers: ClinicContext['attackers'];
  let clinic1: string;
  let clinic2: string;
  /** `a`: the victim's ids (clinic 2 and A's org-wide rows), `b`: the caller's own (clinic 1). */
  const ids: Ids = { a: {}, b: {} };

  beforeAll(async () => {
    region = await startTestRegion();
    const seeded = await seedOrgMatrix(region);
    a = seeded.a;
    [clinic1, clinic2] = a.clinicIds;
    Object.assign(ids.a, seeded.ids.a);
    const doctor = await addDoctor(a, [clinic1]);
    const staff = await a.addMember('staff', [clinic1]);
    attackers = { doctor, staff };
    // The caller's own: A's org-wide rows (the registry says which are not in a clinic), then its
    // clinic, the attacking doctor, and what each set makes in the first clinic.
    const places = await placesOf(testDb().adminUrl, Object.values(seeded.ids.a));
    for (const [name, id] of Object.entries(seeded.ids.a)) if (places.get(id)?.clinic === null) ids.b[name] = id;
    Object.assign(ids.b, { clinic: clinic1, membership: staff.membershipId, doctor: doctor.doctorId, bookingDoctor: doctor.doctorId });
    const ctx: ClinicContext = { region, org: a, attackers, ids };
    for (const [, set] of CASE_SETS) Object.assign(ids.b, (await set.clinic.seed?.(ctx)) ?? {});
  });
  afterAll(() => region?.close());

  it('has a clinic-tier case for every route the API serves', () => {
    const served = region.routes.map((r) => `${r.method} ${r.url}`);
    expect(served.length).toBeGreaterThan(10);
    expect(served.filter((key) => !CASES[key])).toEqual([]);
  });

  it('has no clinic-tier case for a route that does not exist', () => {
    const served = new Set(region.routes.map((r) => `${r.method} ${r.url}`));
    expect(Object.keys(CASES).filter((key) => !served.has(key))).toEqual([]);
  });

  it('attacks rows in both clinics of every table row-level security scopes by clinic', async () => {
    const empty = async (clinicId: string) =>
      Object.entries(await snapshotClinic(testDb().adminUrl, a.orgId, clinicId))
        .filter(([table, rows]) => CLINIC_TABLES.find((t) => t.table === table)?.clinicRls && rows.length === 0)
        .map(([table]) => table);
    expect({ clinic1: await empty(clinic1), clinic2: await empty(clinic2) }).toEqual({ clinic1: [], clinic2: [] });
  });

  it('holds in the database: a clinic-1 context sees, changes and deletes no clinic-2 row of a table scoped by clinic', async () => {
    const reached = await withClient(testDb().appUrl, async (c) => {
      const out: Record<string, { seen: number; updated: number; deleted: number | string }> = {};
      await c.query('begin');
      try {
        await c.query("select set_config('app.org_id', $1, true), set_config('app.clinic_ids', $2, true)", [a.orgId, `{${clinic1}}`]);
        for (const { table, clinicColumn } of CLINIC_TABLES.filter((entry) => entry.clinicRls)) {
          // Table and column names come from the registry, never from a request; the clinic is bound.
          const [count, update, remove] = [
            `select count(*)::int as n from ${table} where ${clinicColumn} = $1`,
            `update ${table} set ${clinicColumn} = ${clinicColumn} where ${clinicColumn} = $1`,
            `delete from ${table} where ${clinicColumn} = $1`,
          ];
          const seen = Number((await c.query(count, [clinic2])).rows[0].n);
          await c.query('savepoint attempt');
          let updated = 0;
          let deleted: number | string = 0;
          try {
            updated = (await c.query(update, [clinic2])).rowCount ?? 0;
            await c.query('rollback to savepoint attempt');
          } catch (err) {
            // No UPDATE grant at all (attachments change only by being deleted): refused, which is as good.
            await c.query('rollback to savepoint attempt');
            if ((err as { code?: string }).code !== '42501') throw err;
          }
          try {
            deleted = (await c.query(remove, [clinic2])).rowCount ?? 0;
          } catch (err) {
            deleted = (err as { code?: string }).code ?? String(err);
          }
          await c.query('rollback to savepoint attempt');
          out[table] = { seen, updated, deleted };
        }
      } finally {
        await c.query('rollback');
      }
      return out;
    });
    const expected = Object.fromEntries(Object.keys(reached).map((table) => [table, { seen: 0, updated: 0, deleted: 0 }]));
    expect(Object.keys(reached).length).toBeGreaterThanOrEqual(9);
    expect(reached).toEqual(expected);
  });

  it("refuses, in the database itself, a link from one clinic's records to another clinic's (the foreign keys include the clinic)", async () => {
    const codes = await withClient(testDb().appUrl, async (c) => {
      const out: Record<string, string> = {};
      await c.query('begin');
      try {
        await c.query("select set_config('app.org_id', $1, true), set_config('app.clinic_ids', '*', true)", [a.orgId]);
        const attempts: [string, string, unknown[]][] = [
          [
            'case study cites another clinic',
            `insert into case_study_observations (organization_id, case_study_id, observation_id, clinic_id, patient_id, position)
               select $1, $2, $3, s.clinic_id, s.patient_id, 0 from case_studies s where s.organization_id = $1 and s.id = $2`,
            [a.orgId, ids.b.caseStudy, ids.a.observation],
          ],
          [
            'procedure treats another clinic',
            'update dental_procedures set observation_id = $3 where organization_id = $1 and id = $2',
            [a.orgId, ids.b.procedure, ids.a.observation],
          ],
        ];
        for (const [name, statement, values] of attempts) {
          await c.query('savepoint attempt');
          try {
            await c.query(statement, values);
            out[name] = 'accepted';
          } catch (err) {
            out[name] = (err as { code?: string }).code ?? String(err);
          }
          await c.query('rollback to savepoint attempt');
        }
      } finally {
        await c.query('rollback');
      }
      return out;
    });
    expect(codes).toEqual({ 'case study cites another clinic': '23503', 'procedure treats another clinic': '23503' });
  });

  it('the tables the registry calls clinic-scoped but not by row-level security are read org-wide, as it says', async () => {
    // A keyed request at clinic 2, so that idempotency_keys holds a clinic-2 row.
    const keyed = await region.client.post(
      '/v1/patients',
      { firstName: 'Keyed', lastName: 'Clinic Two', mobileNumber: '+919811100022' },
      { token: a.admin.token, headers: { 'idempotency-key': 'clinic-2-row' } },
    );
    expect(keyed.status).toBe(201);
    const observed = await region.client.post(
      '/v1/dental/observations',
      { patientId: (keyed.body as { id: string }).id, clinicId: clinic2, tooth: 11, condition: 'caries' },
      { token: a.admin.token, headers: { 'idempotency-key': 'clinic-2-observation' } },
    );
    expect(observed.status).toBe(201);
    const seen = await withClient(testDb().appUrl, async (c) => {
      const out: Record<string, boolean> = {};
      await c.query('begin');
      try {
        await c.query("select set_config('app.org_id', $1, true), set_config('app.clinic_ids', $2, true)", [a.orgId, `{${clinic1}}`]);
        for (const { table, clinicColumn } of CLINIC_TABLES.filter((entry) => !entry.clinicRls)) {
          const sql = `select 1 from ${table} where ${clinicColumn} = $1 limit 1`;
          out[table] = (await c.query(sql, [clinic2])).rowCount === 1;
        }
      } finally {
        await c.query('rollback');
      }
      return out;
    });
    expect(seen).toEqual(Object.fromEntries(Object.keys(seen).map((table) => [table, true])));
  });

  // One test per case; the tests above tie the cases to the live route table and the schema.
  it.each(CASE_LIST)('%s', async (_name, key, testCase) => {
    expect(await check(key, testCase)).toBeNull();
  });

  /**
   * Access to a clinic can be taken away. A keyed request's answer is kept for 24 hours and a
   * retry with the same key replays it (idempotency_keys is org-wide, keyed by user): the replay
   * must not hand a member who has lost clinic 2 a clinic-2 row they can no longer read.
   */
  it("a member who lost clinic 2 reads none of its rows by replaying a keyed request made while they had it", async () => {
    const org = await region.createOrg({ extraClinics: 1 });
    const [first, second] = org.clinicIds;
    const member = await org.addMember('staff', [first, second]);
    const doctor = await addDoctor(org, [second]);
    const patient = await createPatient(region, org.admin.token, 'Revoked');
    const booking = { clinicId: second, patientId: patient, doctorId: doctor.doctorId, startsAt: '2033-02-01T09:00:00Z', durationMinutes: 15 };
    const keyed = { token: member.token, headers: { 'idempotency-key': 'clinic-2-booking' } };
    const made = await region.client.post<{ id: string }>('/v1/appointments', booking, keyed);
    expect(made.status).toBe(201);
    const narrowed = await region.client.put(
      `/internal/v1/organizations/${org.orgId}/memberships/${member.userId}`,
      { role: 'staff', displayName: 'Test staff', clinicIds: [first] },
      { headers: { [SERVICE_TOKEN_HEADER]: region.serviceToken } },
    );
    expect(narrowed.status).toBe(200);
    expect((await region.client.get(`/v1/appointments/${made.body.id}`, { token: member.token })).status).toBe(404);
    const replay = await region.client.post('/v1/appointments', booking, keyed);
    expect({ status: replay.status, namesTheAppointment: JSON.stringify(replay.body).includes(made.body.id) }).toEqual({ status: 404, namesTheAppointment: false });
  });

  async function check(key: string, testCase: ClinicCase): Promise<string | null> {
    const [method, template] = key.split(' ');
    const before = await snapshotClinic(testDb().adminUrl, a.orgId, clinic2);
    const failure = await run(method, template, testCase, rowsOf(before));
    if (failure) return failure;
    const after = await snapshotClinic(testDb().adminUrl, a.orgId, clinic2);
    const changed = Object.keys(before).filter((table) => !unchanged(table, before[table], after[table]));
    return changed.length ? `clinic 2's rows changed: ${changed.map((table) => difference(table, before[table], after[table])).join('; ')}` : null;
  }

  /** What changed in a table, briefly: the rows that went (by their key) and how many came. */
  function difference(table: string, before: Record<string, unknown>[], after: Record<string, unknown>[]): string {
    const text = (rows: Record<string, unknown>[]) => new Set(rows.map((row) => JSON.stringify(row)));
    const [was, is] = [text(before), text(after)];
    const key = (row: Record<string, unknown>) => tenantTable(table).primaryKey.filter((column) => column !== 'organization_id').map((column) => `${column} ${row[column]}`).join(', ');
    const gone = before.filter((row) => !is.has(JSON.stringify(row))).map(key);
    const came = after.filter((row) => !was.has(JSON.stringify(row))).length;
    return `${table}: ${gone.length} row(s) gone or changed [${gone.join(' | ')}], ${came} new or changed`;
  }

  /**
   * Whether a table's clinic-2 rows are as they were. An append-only table (the audit trail) may
   * gain rows that record the caller's own request (e.g. a list filtered on clinic 2 names it),
   * and nothing else: its rows before are all still there, and every new one is the caller's.
   */
  function unchanged(table: string, before: Record<string, unknown>[], after: Record<string, unknown>[]): boolean {
    if (!tenantTable(table).appendOnly) return JSON.stringify(before) === JSON.stringify(after);
    const callers = new Set([attackers.doctor.userId, attackers.staff.userId]);
    const was = new Set(before.map((row) => JSON.stringify(row)));
    const added = after.filter((row) => !was.has(JSON.stringify(row)));
    return after.length - added.length === before.length && added.every((row) => callers.has(row.actor_user_id as string));
  }

  /** Clinic 2 and the ids of its rows, each with the table it is in: what no answer may name. */
  function rowsOf(snapshot: Snapshot): Map<string, string> {
    const named = new Map<string, string>([[clinic2, 'clinics']]);
    for (const [table, rows] of Object.entries(snapshot)) {
      for (const row of rows) if (typeof row.id === 'string') named.set(row.id, table);
    }
    return named;
  }

  async function run(method: string, template: string, testCase: ClinicCase, secret: Map<string, string>): Promise<string | null> {
    const send = async (request: ClinicRequest, params: Record<string, string>, pathIds: Record<string, string>) => {
      const { url, ...options } = requestOf(fillPath(template, params, pathIds), request, ids);
      const res = await region.client.request<unknown>(method, url, { token: attackers[request.as ?? 'doctor'].token, ...options });
      // Naming what the request named is no leak; anything else of clinic 2 is.
      const sent = `${url} ${JSON.stringify(options.body ?? '')}`;
      const text = JSON.stringify(res.body ?? '');
      const leaked = [...secret].filter(([id]) => text.includes(id) && !sent.includes(id)).map(([id, table]) => `${table} ${id}`);
      return { res, leak: leaked.length ? `answered ${res.status} naming clinic 2's ${leaked.join(', ')}: ${text.slice(0, 600)}` : null };
    };
    switch (testCase.kind) {
      case 'org-wide': {
        if (!testCase.reason) return 'an org-wide case says why';
        const probe = testCase.probe;
        if (!probe) return null;
        const { res, leak } = await send(probe, probe.params ?? (probe.resource ? { id: probe.resource } : {}), { ...ids.b, ...ids.a });
        const expected = probe.status ?? (method === 'POST' ? 201 : method === 'DELETE' ? 204 : 200);
        if (res.status !== expected) return `answered ${res.status}, not ${expected}: ${JSON.stringify(res.body)}`;
        return leak;
      }
      case 'forbidden': {
        const { res, leak } = await send(testCase, testCase.params ?? (testCase.resource ? { id: testCase.resource } : {}), ids.a);
        return res.status === 403 ? leak : `a ${testCase.as} answered ${res.status}, not 403`;
      }
      case 'other-clinic-id': {
        const { res, leak } = await send(testCase, testCase.params ?? { id: testCase.resource }, ids.a);
        if (res.status !== 404) return leak ?? `clinic 1's ${testCase.as ?? 'doctor'} on clinic 2's ${testCase.resource} answered ${res.status}, not 404: ${JSON.stringify(res.body)}`;
        const body = res.body as { statusCode?: number };
        return leak ?? (body.statusCode === 404 ? null : 'the 404 is not a JSON error');
      }
      case 'other-clinic-reference': {
        const { res, leak } = await send(testCase, testCase.params ?? {}, ids.b);
        const expected = testCase.status ?? 404;
        return res.status === expected ? leak : `a reference to clinic 2 answered ${res.status}, not ${expected}: ${JSON.stringify(res.body)}`;
      }
      case 'own-clinic': {
        const { res, leak } = await send(testCase, testCase.params ?? {}, ids.b);
        if (method === 'POST' || method === 'PUT') {
          const expected = testCase.status ?? 201;
          if (res.status !== expected) return `create answered ${res.status}: ${JSON.stringify(res.body)}`;
          if (leak) return leak;
          const id = (res.body as { id: string }).id;
          const place = (await placesOf(testDb().adminUrl, [id])).get(id);
          if (place?.org !== a.orgId) return `the created row is not A's: ${JSON.stringify(place)}`;
          return place.clinic === null || place.clinic === clinic1 ? null : `the created row is in clinic ${place.clinic}`;
        }
        if (method === 'PATCH' || method === 'DELETE') {
          const expected = testCase.status ?? (method === 'DELETE' ? 204 : 200);
          return res.status === expected ? leak : `a change of its own row answered ${res.status}, not ${expected}: ${JSON.stringify(res.body)}`;
        }
        if (res.status !== (testCase.status ?? 200)) return `list answered ${res.status}: ${JSON.stringify(res.body)}`;
        if (leak) return leak;
        // A list, or one row read by its id.
        const body = testCase.listKey ? (res.body as Record<string, unknown>)[testCase.listKey] : res.body;
        const rows = (Array.isArray(body) ? body : [body]) as { id: string }[];
        if (testCase.empty) return rows.length === 0 ? null : `the list is not empty: ${JSON.stringify(rows)}`;
        if (rows.length === 0) return "the caller's own rows are missing from the list";
        const places = await placesOf(testDb().adminUrl, rows.map((row) => row.id));
        const stray = rows.find((row) => {
          const place = places.get(row.id);
          return !place || (place.org !== a.orgId && place.org !== null) || (place.clinic !== null && place.clinic !== clinic1);
        });
        return stray ? `the list returned ${JSON.stringify(places.get(stray.id) ?? stray.id)}` : null;
      }
    }
  }
});
