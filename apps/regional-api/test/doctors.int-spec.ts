import { randomUUID } from 'node:crypto';
import { SERVICE_TOKEN_HEADER } from '@medgenie/contracts';
import { TestOrg } from '@medgenie/testing';
import { DoctorView } from '../src/doctors/doctors.service';
import { withClient } from './db';
import { startTestRegion, testDb, TestRegion } from './support';

describe('doctors', () => {
  let region: TestRegion;
  let org: TestOrg;

  beforeAll(async () => {
    region = await startTestRegion();
    org = await region.createOrg({ extraClinics: 1 });
  });
  afterAll(() => region?.close());

  const as = (token: string) => ({ token });
  const list = (query = '', token = org.admin.token) => region.client.get<DoctorView[]>(`/v1/doctors${query}`, as(token));
  const doctorOf = async (o: TestOrg, membershipId: string) =>
    (await region.client.get<DoctorView[]>('/v1/doctors', as(o.admin.token))).body.find((d) => d.membershipId === membershipId)!;
  const profilesOf = (orgId: string, membershipId: string) =>
    withClient(testDb().adminUrl, async (c) =>
      Number((await c.query('select count(*)::int as n from doctors where organization_id = $1 and membership_id = $2', [orgId, membershipId])).rows[0].n),
    );

  describe('provisioning', () => {
    it("gives the first admin a doctor profile at the org's first clinic", async () => {
      const res = await list();
      expect(res.status).toBe(200);
      const admin = res.body.find((d) => d.membershipId === org.admin.membershipId);
      expect(admin).toMatchObject({
        userId: org.admin.userId,
        displayName: 'Test Admin',
        role: 'org_admin',
        isActive: true,
        qualifications: [],
        licenseNumber: null,
        clinics: [{ clinicId: org.clinicIds[0], clinicName: 'Main Clinic', schedule: [] }],
      });
    });

    it('is idempotent: provisioning the org again makes no second profile', async () => {
      const fresh = await region.createOrg();
      const provisioning = {
        organizationId: fresh.orgId,
        slug: fresh.slug,
        name: 'Again',
        plan: 'enterprise',
        clinic: { id: fresh.clinicIds[0], name: 'Main Clinic' },
        admin: { userId: fresh.admin.userId, displayName: 'Test Admin' },
      };
      const service = { headers: { [SERVICE_TOKEN_HEADER]: region.serviceToken } };
      const again = await region.client.post('/internal/v1/organizations', provisioning, service);
      expect(again.status).toBe(200);
      expect(await profilesOf(fresh.orgId, fresh.admin.membershipId)).toBe(1);

      // A retry also completes a profile that is missing (an org provisioned before profiles existed).
      await withClient(testDb().adminUrl, (c) => c.query('delete from doctors where organization_id = $1', [fresh.orgId]));
      const retry = await region.client.post('/internal/v1/organizations', provisioning, service);
      expect(retry.status).toBe(200);
      expect(await profilesOf(fresh.orgId, fresh.admin.membershipId)).toBe(1);
    });

    it('gives a member added as a doctor a profile at the granted clinics, once', async () => {
      const doctor = await org.addMember('doctor', [org.clinicIds[1]]);
      const profile = await doctorOf(org, doctor.membershipId);
      expect(profile).toMatchObject({ role: 'doctor', displayName: 'Test doctor', clinics: [{ clinicId: org.clinicIds[1] }] });

      const put = await region.client.put(
        `/internal/v1/organizations/${org.orgId}/memberships/${doctor.userId}`,
        { role: 'doctor', displayName: 'Dr Renamed', clinicIds: [org.clinicIds[0], org.clinicIds[1]] },
        { headers: { [SERVICE_TOKEN_HEADER]: region.serviceToken } },
      );
      expect(put.status).toBe(200);
      expect(await profilesOf(org.orgId, doctor.membershipId)).toBe(1);
      const after = await doctorOf(org, doctor.membershipId);
      expect(after.id).toBe(profile.id);
      expect(after.displayName).toBe('Dr Renamed');
    });

    it('gives staff no profile', async () => {
      const staff = await org.addMember('staff', [org.clinicIds[0]]);
      expect(await profilesOf(org.orgId, staff.membershipId)).toBe(0);
    });
  });

  describe('clinics and schedules', () => {
    it('sets where and when a doctor practises, in order, and replaces it on a second PUT', async () => {
      const doctor = await doctorOf(org, org.admin.membershipId);
      const url = `/v1/doctors/${doctor.id}/clinics/${org.clinicIds[1]}`;
      const schedule = [
        { weekday: 3, start: '14:00', end: '18:00' },
        { weekday: 1, start: '13:00', end: '17:00' },
        { weekday: 1, start: '09:00', end: '13:00' },
      ];
      const res = await region.client.put<DoctorView>(url, { schedule }, as(org.admin.token));
      expect(res.status).toBe(200);
      expect(res.body.clinics.find((c) => c.clinicId === org.clinicIds[1])?.schedule).toEqual([
        { weekday: 1, start: '09:00', end: '13:00' },
        { weekday: 1, start: '13:00', end: '17:00' },
        { weekday: 3, start: '14:00', end: '18:00' },
      ]);
      const replaced = await region.client.put<DoctorView>(url, { schedule: [{ weekday: 7, start: '10:00', end: '24:00' }] }, as(org.admin.token));
      expect(replaced.body.clinics.find((c) => c.clinicId === org.clinicIds[1])?.schedule).toEqual([{ weekday: 7, start: '10:00', end: '24:00' }]);

      const atSecond = await list(`?clinicId=${org.clinicIds[1]}`);
      expect(atSecond.body.map((d) => d.id)).toContain(doctor.id);
    });

    it.each([
      ['a weekday out of range', [{ weekday: 8, start: '09:00', end: '10:00' }]],
      ['weekday zero', [{ weekday: 0, start: '09:00', end: '10:00' }]],
      ['a malformed time', [{ weekday: 1, start: '9:00', end: '10:00' }]],
      ['an hour past 23', [{ weekday: 1, start: '24:00', end: '24:00' }]],
      ['start after end', [{ weekday: 1, start: '18:00', end: '09:00' }]],
      ['start equal to end', [{ weekday: 2, start: '09:00', end: '09:00' }]],
      ['overlapping windows', [{ weekday: 2, start: '09:00', end: '13:00' }, { weekday: 2, start: '12:30', end: '15:00' }]],
      ['a window inside another', [{ weekday: 5, start: '08:00', end: '20:00' }, { weekday: 5, start: '10:00', end: '11:00' }]],
      ['an unknown field', [{ weekday: 1, start: '09:00', end: '10:00', room: 4 }]],
    ])('refuses a schedule with %s (400) and keeps the one before', async (_what, schedule) => {
      const doctor = await doctorOf(org, org.admin.membershipId);
      const url = `/v1/doctors/${doctor.id}/clinics/${org.clinicIds[0]}`;
      await region.client.put(url, { schedule: [{ weekday: 6, start: '09:00', end: '12:00' }] }, as(org.admin.token));
      const res = await region.client.put<{ statusCode: number; message: string }>(url, { schedule }, as(org.admin.token));
      expect(res.status).toBe(400);
      const kept = await doctorOf(org, org.admin.membershipId);
      expect(kept.clinics.find((c) => c.clinicId === org.clinicIds[0])?.schedule).toEqual([{ weekday: 6, start: '09:00', end: '12:00' }]);
    });

    it('answers 404 for an unknown clinic or doctor, and removes a clinic link', async () => {
      const doctor = await doctorOf(org, org.admin.membershipId);
      const body = { schedule: [] };
      expect((await region.client.put(`/v1/doctors/${doctor.id}/clinics/${randomUUID()}`, body, as(org.admin.token))).status).toBe(404);
      expect((await region.client.put(`/v1/doctors/${randomUUID()}/clinics/${org.clinicIds[0]}`, body, as(org.admin.token))).status).toBe(404);

      const url = `/v1/doctors/${doctor.id}/clinics/${org.clinicIds[1]}`;
      await region.client.put(url, body, as(org.admin.token));
      expect((await region.client.delete(url, as(org.admin.token))).status).toBe(204);
      const second = await region.client.delete<{ error: string }>(url, as(org.admin.token));
      expect(second.status).toBe(404);
      expect((await doctorOf(org, org.admin.membershipId)).clinics.map((c) => c.clinicId)).not.toContain(org.clinicIds[1]);
    });

    it("refuses another org's clinic for one's own doctor (404), and leaves it unlinked", async () => {
      const other = await region.createOrg();
      const doctor = await doctorOf(org, org.admin.membershipId);
      const res = await region.client.put(`/v1/doctors/${doctor.id}/clinics/${other.clinicIds[0]}`, { schedule: [] }, as(org.admin.token));
      expect(res.status).toBe(404);
      expect((res.body as { error: string }).error).toBeDefined();
    });

    it('lets only org admins change where doctors practise', async () => {
      const member = await org.addMember('doctor', [org.clinicIds[0]]);
      const own = await doctorOf(org, member.membershipId);
      const res = await region.client.put(`/v1/doctors/${own.id}/clinics/${org.clinicIds[0]}`, { schedule: [] }, as(member.token));
      expect(res.status).toBe(403);
    });
  });
  describe('profiles', () => {
    it('reads one doctor by id (404 for an unknown id) and filters the list', async () => {
      const admin = await doctorOf(org, org.admin.membershipId);
      const read = await region.client.get<DoctorView>(`/v1/doctors/${admin.id}`, as(org.admin.token));
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ id: admin.id, membershipId: org.admin.membershipId });
      expect((await region.client.get(`/v1/doctors/${randomUUID()}`, as(org.admin.token))).status).toBe(404);
      expect((await region.client.get('/v1/doctors/not-a-uuid', as(org.admin.token))).status).toBe(400);

      await region.client.patch(`/v1/doctors/${admin.id}`, { specialization: 'Orthodontics' }, as(org.admin.token));
      expect((await list('?specialization=orthodontics')).body.map((d) => d.id)).toEqual([admin.id]);
      expect((await list('?specialization=Cardiology')).body).toEqual([]);
      expect((await list('?active=maybe')).status).toBe(400);
      expect((await list(`?clinicId=${randomUUID()}`)).body).toEqual([]);
    });

    it('lets an org admin fill in a profile, and clears a field with null', async () => {
      const member = await org.addMember('doctor', [org.clinicIds[0]]);
      const doctor = await doctorOf(org, member.membershipId);
      const body = {
        licenseNumber: 'KMC-12345',
        specialization: 'Endodontics',
        qualifications: ['BDS', 'MDS (Conservative Dentistry)'],
        consultationFee: 500.5,
        bio: 'Root canals without fear.',
      };
      const res = await region.client.patch<DoctorView>(`/v1/doctors/${doctor.id}`, body, as(org.admin.token));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject(body);
      const cleared = await region.client.patch<DoctorView>(`/v1/doctors/${doctor.id}`, { bio: null, consultationFee: null }, as(org.admin.token));
      expect(cleared.body).toMatchObject({ bio: null, consultationFee: null, licenseNumber: 'KMC-12345' });
    });

    it.each([
      ['a fee with three decimals', { consultationFee: 10.123 }],
      ['a negative fee', { consultationFee: -1 }],
      ['a fee as text', { consultationFee: '500' }],
      ['null qualifications', { qualifications: null }],
      ['null isActive', { isActive: null }],
      ['an empty license number', { licenseNumber: '' }],
      ['a bio over 2000 characters', { bio: 'x'.repeat(2001) }],
      ['an unknown field', { membershipId: randomUUID() }],
    ])('refuses %s (400)', async (_what, body) => {
      const admin = await doctorOf(org, org.admin.membershipId);
      expect((await region.client.patch(`/v1/doctors/${admin.id}`, body, as(org.admin.token))).status).toBe(400);
    });

    it('keeps license numbers unique in the org (409), not across orgs', async () => {
      const [first, second] = [await org.addMember('doctor', []), await org.addMember('doctor', [])];
      const [d1, d2] = [await doctorOf(org, first.membershipId), await doctorOf(org, second.membershipId)];
      expect((await region.client.patch(`/v1/doctors/${d1.id}`, { licenseNumber: 'DUP-1' }, as(org.admin.token))).status).toBe(200);
      const clash = await region.client.patch<{ code: string }>(`/v1/doctors/${d2.id}`, { licenseNumber: 'DUP-1' }, as(org.admin.token));
      expect(clash.status).toBe(409);
      expect(clash.body.code).toBe('LICENSE_NUMBER_TAKEN');
      const other = await region.createOrg();
      const theirs = await doctorOf(other, other.admin.membershipId);
      expect((await region.client.patch(`/v1/doctors/${theirs.id}`, { licenseNumber: 'DUP-1' }, as(other.admin.token))).status).toBe(200);
    });

    it('lets a doctor edit their own profile, but not whether it is active, nor anyone else\'s', async () => {
      const me = await org.addMember('doctor', [org.clinicIds[0]]);
      const mine = await doctorOf(org, me.membershipId);
      const admin = await doctorOf(org, org.admin.membershipId);
      const own = await region.client.patch<DoctorView>(`/v1/doctors/${mine.id}`, { bio: 'Mine', qualifications: ['MBBS'] }, as(me.token));
      expect(own.status).toBe(200);
      expect(own.body).toMatchObject({ bio: 'Mine', qualifications: ['MBBS'] });
      expect((await region.client.patch(`/v1/doctors/${mine.id}`, { isActive: false }, as(me.token))).status).toBe(403);
      expect((await region.client.patch(`/v1/doctors/${admin.id}`, { bio: 'Not mine' }, as(me.token))).status).toBe(403);
      const staff = await org.addMember('staff', [org.clinicIds[0]]);
      expect((await region.client.patch(`/v1/doctors/${mine.id}`, { bio: 'Staff' }, as(staff.token))).status).toBe(403);
      expect((await region.client.get<DoctorView>(`/v1/doctors/${mine.id}`, as(me.token))).body.bio).toBe('Mine');
    });

    it('deactivates a doctor (org admins), and the active filter follows', async () => {
      const member = await org.addMember('doctor', []);
      const doctor = await doctorOf(org, member.membershipId);
      const res = await region.client.patch<DoctorView>(`/v1/doctors/${doctor.id}`, { isActive: false }, as(org.admin.token));
      expect(res.body.isActive).toBe(false);
      expect((await list('?active=false')).body.map((d) => d.id)).toContain(doctor.id);
      expect((await list('?active=true')).body.map((d) => d.id)).not.toContain(doctor.id);
    });

    it('shows staff only the clinics they may see among where a doctor practises', async () => {
      const doctor = await doctorOf(org, org.admin.membershipId);
      for (const clinicId of org.clinicIds) {
        await region.client.put(`/v1/doctors/${doctor.id}/clinics/${clinicId}`, { schedule: [] }, as(org.admin.token));
      }
      const staff = await org.addMember('staff', [org.clinicIds[1]]);
      const seen = await region.client.get<DoctorView>(`/v1/doctors/${doctor.id}`, as(staff.token));
      expect(seen.body.clinics.map((c) => c.clinicId)).toEqual([org.clinicIds[1]]);
      expect((await list(`?clinicId=${org.clinicIds[0]}`, staff.token)).body).toEqual([]);
    });
  });

  describe('creating a profile through the API', () => {
    it('makes one for an org admin membership that has none (201), once (409)', async () => {
      const second = await org.addMember('org_admin', []);
      expect(await profilesOf(org.orgId, second.membershipId)).toBe(0);
      const res = await region.client.post<DoctorView>('/v1/doctors', { membershipId: second.membershipId, specialization: 'Prosthodontics' }, as(org.admin.token));
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ membershipId: second.membershipId, role: 'org_admin', specialization: 'Prosthodontics', clinics: [] });
      const again = await region.client.post<{ code: string }>('/v1/doctors', { membershipId: second.membershipId }, as(org.admin.token));
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('DOCTOR_EXISTS');
    });

    it('refuses a staff membership (422), an unknown one (404), a taken license (409), and callers who are not org admins (403)', async () => {
      const staff = await org.addMember('staff', []);
      const notDoctor = await region.client.post<{ code: string }>('/v1/doctors', { membershipId: staff.membershipId }, as(org.admin.token));
      expect(notDoctor.status).toBe(422);
      expect(notDoctor.body.code).toBe('MEMBERSHIP_NOT_A_DOCTOR');
      expect((await region.client.post('/v1/doctors', { membershipId: randomUUID() }, as(org.admin.token))).status).toBe(404);

      const licensed = await org.addMember('doctor', []);
      await region.client.patch(`/v1/doctors/${(await doctorOf(org, licensed.membershipId)).id}`, { licenseNumber: 'TAKEN-9' }, as(org.admin.token));
      const admin = await org.addMember('org_admin', []);
      const taken = await region.client.post<{ code: string }>('/v1/doctors', { membershipId: admin.membershipId, licenseNumber: 'TAKEN-9' }, as(org.admin.token));
      expect(taken.status).toBe(409);
      expect(taken.body.code).toBe('LICENSE_NUMBER_TAKEN');
      expect(await profilesOf(org.orgId, admin.membershipId)).toBe(0);

      const doctor = await org.addMember('doctor', []);
      expect((await region.client.post('/v1/doctors', { membershipId: admin.membershipId }, as(doctor.token))).status).toBe(403);
    });

    it("applies the plan's doctor limit (402 PLAN_LIMIT_REACHED)", async () => {
      const trial = await region.createOrg({ plan: 'trial' });
      // The control plane enforces the limit before it adds doctor members; here they fill the plan's 5.
      for (let i = 0; i < 4; i += 1) await trial.addMember('doctor', []);
      const admin = await trial.addMember('org_admin', []);
      const res = await region.client.post<{ code: string; message: string }>('/v1/doctors', { membershipId: admin.membershipId }, as(trial.admin.token));
      expect(res.status).toBe(402);
      expect(res.body.code).toBe('PLAN_LIMIT_REACHED');
      expect(res.body.message).toBe('Your plan allows 5 doctors; upgrade to add more');
      expect(await profilesOf(trial.orgId, admin.membershipId)).toBe(0);
    });
  });

  it('records audit events for reads and writes, with ids and counts only', async () => {
    const fresh = await region.createOrg();
    const doctor = await doctorOf(fresh, fresh.admin.membershipId);
    await region.client.get(`/v1/doctors/${doctor.id}`, as(fresh.admin.token));
    await region.client.patch(`/v1/doctors/${doctor.id}`, { bio: 'Secret bio' }, as(fresh.admin.token));
    await region.client.put(`/v1/doctors/${doctor.id}/clinics/${fresh.clinicIds[0]}`, { schedule: [{ weekday: 1, start: '09:00', end: '10:00' }] }, as(fresh.admin.token));
    const events = await withClient(testDb().adminUrl, async (c) =>
      (await c.query(`select action, actor_type, details from audit_events where organization_id = $1 and resource_type = 'doctor'`, [fresh.orgId])).rows,
    );
    expect(events.map((e) => e.action)).toEqual(
      expect.arrayContaining(['doctor.create', 'doctor.list', 'doctor.read', 'doctor.update', 'doctor.clinic.update']),
    );
    expect(events.find((e) => e.action === 'doctor.create')?.actor_type).toBe('service');
    expect(JSON.stringify(events)).not.toMatch(/secret bio/i);
  });
});
