import { SERVICE_TOKEN_HEADER } from '@medgenie/contracts';
import { TestMember, TestOrg } from '@medgenie/testing';
import { withClient } from './db';
import { startTestRegion, testDb, TestRegion } from './support';

/**
 * A member deactivated by the control plane (issue 14): the internal membership upsert with
 * `isActive: false` keeps the membership (the audit trail refers to it) but the request's begin
 * statement no longer finds it, so the same token reads nothing; `isActive: true` restores it.
 */
describe('membership deactivation', () => {
  let region: TestRegion;
  let a: TestOrg;
  let b: TestOrg;
  let doctor: TestMember;
  let otherDoctor: TestMember;
  let patientId: string;
  beforeAll(async () => {
    region = await startTestRegion({ regionId: 'in' });
    [a, b] = await Promise.all([region.createOrg({ plan: 'basic' }), region.createOrg({ plan: 'basic' })]);
    doctor = await a.addMember('doctor', [a.clinicIds[0]]);
    otherDoctor = await b.addMember('doctor', [b.clinicIds[0]]);
    const created = await region.client.post<{ id: string }>(
      '/v1/patients',
      { firstName: 'Ina', lastName: 'Active', mobileNumber: `+9197${String(Date.now() % 1e8).padStart(8, '0')}` },
      { token: a.admin.token },
    );
    expect(created.status).toBe(201);
    patientId = created.body.id;
  });
  afterAll(() => region?.close());

  const upsert = (org: TestOrg, member: TestMember, isActive?: boolean) =>
    region.client.put<{ membershipId: string; created: boolean }>(
      `/internal/v1/organizations/${org.orgId}/memberships/${member.userId}`,
      { role: member.role, displayName: `Test ${member.role}`, clinicIds: member.clinicIds, ...(isActive === undefined ? {} : { isActive }) },
      { headers: { [SERVICE_TOKEN_HEADER]: region.serviceToken } },
    );
  const reads = (token: string) =>
    Promise.all([
      region.client.get('/v1/patients', { token }),
      region.client.get(`/v1/patients/${patientId}`, { token }),
      region.client.get('/v1/me', { token }),
    ]).then((all) => all.map((r) => r.status));
  const membershipRow = (membershipId: string) =>
    withClient(testDb().adminUrl, async (c) => (await c.query<{ is_active: boolean }>('select is_active from memberships where id = $1', [membershipId])).rows[0]);

  it('refuses every read of a deactivated member, keeps the membership, and restores it on reactivation; another org is unaffected', async () => {
    expect(await reads(doctor.token)).toEqual([200, 200, 200]);

    const off = await upsert(a, doctor, false);
    expect(off.status).toBe(200);
    expect(off.body).toEqual({ membershipId: doctor.membershipId, created: false });
    expect(await membershipRow(doctor.membershipId)).toEqual({ is_active: false });
    expect(await reads(doctor.token)).toEqual([403, 403, 403]);
    expect((await region.client.post('/v1/patients', { firstName: 'No', lastName: 'Write', mobileNumber: '+919700000001' }, { token: doctor.token })).status).toBe(403);

    // The org's admin and the other org's doctor read as before.
    expect(await reads(a.admin.token)).toEqual([200, 200, 200]);
    expect((await region.client.get('/v1/patients', { token: otherDoctor.token })).status).toBe(200);
    expect((await region.client.get('/v1/me', { token: otherDoctor.token })).status).toBe(200);

    const on = await upsert(a, doctor, true);
    expect(on.status).toBe(200);
    expect(await reads(doctor.token)).toEqual([200, 200, 200]);

    // The region's own audit trail has both changes, with the state each left.
    const details = await withClient(testDb().adminUrl, async (c) =>
      (
        await c.query<{ details: { isActive: boolean } }>(
          `select details from audit_events where organization_id = $1 and action = 'membership.update' and resource_id = $2 order by occurred_at`,
          [a.orgId, doctor.membershipId],
        )
      ).rows.map((r) => r.details.isActive),
    );
    expect(details).toEqual([false, true]);
  });

  it('keeps a member active when the upsert does not say (the create path, older callers)', async () => {
    const staff = await a.addMember('staff', [a.clinicIds[0]]);
    expect((await upsert(a, staff, false)).status).toBe(200);
    expect((await region.client.get('/v1/me', { token: staff.token })).status).toBe(403);
    expect((await upsert(a, staff)).status).toBe(200);
    expect((await region.client.get('/v1/me', { token: staff.token })).status).toBe(200);
  });

  it('refuses an isActive that is not a boolean', async () => {
    const res = await region.client.put(
      `/internal/v1/organizations/${a.orgId}/memberships/${doctor.userId}`,
      { role: 'doctor', displayName: 'Test doctor', clinicIds: doctor.clinicIds, isActive: 'no' },
      { headers: { [SERVICE_TOKEN_HEADER]: region.serviceToken } },
    );
    expect(res.status).toBe(400);
    expect(await reads(doctor.token)).toEqual([200, 200, 200]);
  });
});
