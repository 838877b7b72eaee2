import { randomUUID } from 'node:crypto';
import { SERVICE_TOKEN_HEADER } from '@medgenie/contracts';
import { withClient } from './db';
import { RACE_ENV, startTestRegion, testDb, TestRegion } from './support';

interface Refusal {
  statusCode: number;
  code: string;
  message: string;
  limit: { key: string; max: number };
  usage: number;
}

const RACERS = 20;

describe('plan limits: one rule, enforced atomically in the region', () => {
  let region: TestRegion;
  beforeAll(async () => {
    region = await startTestRegion({ regionId: 'in', poolSize: 8, env: RACE_ENV });
  });
  afterAll(() => region?.close());

  /** Sets the mirror's limits directly (as the superuser), so a race can start one below a limit. */
  const setLimits = (orgId: string, limits: Record<string, number>) =>
    withClient(testDb().adminUrl, (c) => c.query(`update organizations set limits = limits || $2::jsonb where id = $1`, [orgId, JSON.stringify(limits)]));
  const COUNTS = {
    doctors: 'select count(*)::int as n from doctors where organization_id = $1',
    patients: 'select count(*)::int as n from patients where organization_id = $1',
    clinics: 'select count(*)::int as n from clinics where organization_id = $1',
  } as const;
  const countOf = (table: keyof typeof COUNTS, orgId: string) =>
    withClient(testDb().adminUrl, async (c) => (await c.query<{ n: number }>(COUNTS[table], [orgId])).rows[0].n);

  /** Fires the creates at once; expects exactly one 201 and the rest 402 with the limit and the usage. */
  async function race(create: (i: number) => Promise<{ status: number; body: unknown }>, key: string, max: number) {
    const answers = await Promise.all(Array.from({ length: RACERS }, (_, i) => create(i)));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 402)).toHaveLength(RACERS - 1);
    for (const a of answers.filter((x) => x.status === 402)) {
      expect(a.body).toMatchObject({ statusCode: 402, error: 'Payment Required', code: 'PLAN_LIMIT_REACHED', limit: { key, max }, usage: max });
      expect((a.body as Refusal).message).toMatch(/^Your plan allows /);
    }
  }

  it('doctors: 20 parallel creations one below the limit give one doctor profile and 19 refusals', async () => {
    const org = await region.createOrg();
    // The admin's profile is the first doctor; org admins without a profile are the candidates.
    const candidates = await Promise.all(Array.from({ length: RACERS }, () => org.addMember('org_admin', [])));
    await setLimits(org.orgId, { maxDoctors: 2 });
    await race((i) => region.client.post('/v1/doctors', { membershipId: candidates[i].membershipId }, { token: org.admin.token }), 'maxDoctors', 2);
    expect(await countOf('doctors', org.orgId)).toBe(2);
  });

  it('patients: 20 parallel creations one below the limit give one patient and 19 refusals', async () => {
    const org = await region.createOrg();
    await setLimits(org.orgId, { maxPatients: 3 });
    const mobile = (i: number) => `+9198${String(Date.now() % 1e6).padStart(6, '0')}${String(i).padStart(2, '0')}`;
    for (let i = 0; i < 2; i += 1) {
      expect((await region.client.post('/v1/patients', { firstName: 'Pat', lastName: `Pre${i}`, mobileNumber: mobile(90 + i) }, { token: org.admin.token })).status).toBe(201);
    }
    await race((i) => region.client.post('/v1/patients', { firstName: 'Pat', lastName: `Race${i}`, mobileNumber: mobile(i) }, { token: org.admin.token }), 'maxPatients', 3);
    expect(await countOf('patients', org.orgId)).toBe(3);
  });

  it('clinics: 20 parallel creations one below the limit give one clinic and 19 refusals', async () => {
    const org = await region.createOrg();
    await setLimits(org.orgId, { maxClinics: 2 });
    await race((i) => region.client.post('/v1/clinics', { name: `Race ${i}`, code: `R${i}` }, { token: org.admin.token }), 'maxClinics', 2);
    expect(await countOf('clinics', org.orgId)).toBe(2);
  });

  it("provisioning a doctor member counts doctor profiles too: the control plane's member creation gets the same 402", async () => {
    const org = await region.createOrg({ plan: 'trial' });
    // Trial: 5 doctors. The admin's profile is one; org admins without a profile do not count.
    for (let i = 0; i < 2; i += 1) await org.addMember('org_admin', []);
    for (let i = 0; i < 4; i += 1) await org.addMember('doctor', []);
    const userId = randomUUID();
    const res = await region.client.put<Refusal>(
      `/internal/v1/organizations/${org.orgId}/memberships/${userId}`,
      { role: 'doctor', displayName: 'One too many', clinicIds: [] },
      { headers: { [SERVICE_TOKEN_HEADER]: region.serviceToken } },
    );
    expect(res.status).toBe(402);
    expect(res.body).toMatchObject({ code: 'PLAN_LIMIT_REACHED', limit: { key: 'maxDoctors', max: 5 }, usage: 5 });
    // Nothing of the refused member is left (one transaction).
    const memberships = await withClient(testDb().adminUrl, async (c) => (await c.query(`select 1 from memberships where organization_id = $1 and user_id = $2`, [org.orgId, userId])).rowCount);
    expect(memberships).toBe(0);
    // Staff are not doctors: the limit does not apply to them.
    await org.addMember('staff', []);
  });

  it('GET /v1/organization shows the plan, status, limits and the usage they count', async () => {
    const org = await region.createOrg({ plan: 'trial' });
    await org.addMember('doctor', []);
    const staff = await org.addMember('staff', [org.clinicIds[0]]);
    for (let i = 0; i < 2; i += 1) {
      const mobileNumber = `+9196${String(Date.now() % 1e6).padStart(6, '0')}${String(i).padStart(2, '0')}`;
      expect((await region.client.post('/v1/patients', { firstName: 'Use', lastName: `U${i}`, mobileNumber }, { token: org.admin.token })).status).toBe(201);
    }
    const res = await region.client.get('/v1/organization', { token: staff.token });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      plan: 'trial',
      status: 'active',
      limits: { maxDoctors: 5, maxPatients: 1000, maxClinics: 1 },
      usage: { doctors: 2, patients: 2, clinics: 1, staff: 1 },
    });
  });

  it('a plan below the usage is refused when asked (409 PLAN_BELOW_USAGE naming what exceeds), applied with the overage otherwise', async () => {
    const org = await region.createOrg({ extraClinics: 1 });
    const service = { headers: { [SERVICE_TOKEN_HEADER]: region.serviceToken } };
    const mirror = () => withClient(testDb().adminUrl, async (c) => (await c.query<{ plan: string }>(`select plan from organizations where id = $1`, [org.orgId])).rows[0].plan);
    const refused = await region.client.patch<Record<string, unknown>>(`/internal/v1/organizations/${org.orgId}`, { plan: 'trial', refuseBelowUsage: true }, service);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      code: 'PLAN_BELOW_USAGE',
      message: 'The trial plan allows 1 clinic; the organization has 2 clinics',
      exceeds: [{ key: 'maxClinics', max: 1, usage: 2 }],
    });
    expect(await mirror()).toBe('enterprise');
    // A plan the usage fits is applied with no overage.
    const fits = await region.client.patch<Record<string, unknown>>(`/internal/v1/organizations/${org.orgId}`, { plan: 'basic', refuseBelowUsage: true }, service);
    expect(fits.status).toBe(200);
    expect(fits.body).toEqual({ organizationId: org.orgId, overage: [] });
    // The registry's decision (a sync, or a forced change) is applied, and the overage answered.
    const forced = await region.client.patch<Record<string, unknown>>(`/internal/v1/organizations/${org.orgId}`, { plan: 'trial' }, service);
    expect(forced.status).toBe(200);
    expect(forced.body).toEqual({ organizationId: org.orgId, overage: [{ key: 'maxClinics', max: 1, usage: 2 }] });
    expect(await mirror()).toBe('trial');
  });
});
