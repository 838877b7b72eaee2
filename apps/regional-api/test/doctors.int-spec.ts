import { randomUUID } from 'node:crypto';
import { SERVICE_TOKEN_HEADER } from '@medgenie/contracts';
import { TestOrg } from '@medgenie/testing';
import { withClient } from './db';
import { startTestRegion, testDb, TestRegion } from './support';

interface Doctor {
  id: string;
  membershipId: string;
  userId: string;
  displayName: string;
  role: string;
  licenseNumber: string | null;
  specialization: string | null;
  qualifications: string[];
  consultationFee: number | null;
  bio: string | null;
  isActive: boolean;
  clinics: { clinicId: string; clinicName: string; schedule: { weekday: number; start: string; end: string }[] }[];
}

describe('doctors', () => {
  let region: TestRegion;
  let org: TestOrg;

  beforeAll(async () => {
    region = await startTestRegion();
    org = await region.createOrg({ extraClinics: 1 });
  });
  afterAll(() => region?.close());

  const as = (token: string) => ({ token });
  const list = (query = '', token = org.admin.token) => region.client.get<Doctor[]>(`/v1/doctors${query}`, as(token));
  const doctorOf = async (o: TestOrg, membershipId: string) =>
    (await region.client.get<Doctor[]>('/v1/doctors', as(o.admin.token))).body.find((d) => d.membershipId === membershipId)!;
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
      const again = await region.client.post(
        '/internal/v1/organizations',
        {
          organizationId: fresh.orgId,
          slug: fresh.slug,
          name: 'Again',
          plan: 'enterprise',
          clinic: { id: fresh.clinicIds[0], name: 'Main Clinic' },
          admin: { userId: fresh.admin.userId, displayName: 'Test Admin' },
        },
        { headers: { [SERVICE_TOKEN_HEADER]: region.serviceToken } },
      );
      expect(again.status).toBe(200);
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
      const res = await region.client.put<Doctor>(url, { schedule }, as(org.admin.token));
      expect(res.status).toBe(200);
      expect(res.body.clinics.find((c) => c.clinicId === org.clinicIds[1])?.schedule).toEqual([
        { weekday: 1, start: '09:00', end: '13:00' },
        { weekday: 1, start: '13:00', end: '17:00' },
        { weekday: 3, start: '14:00', end: '18:00' },
      ]);
      const replaced = await region.client.put<Doctor>(url, { schedule: [{ weekday: 7, start: '10:00', end: '24:00' }] }, as(org.admin.token));
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
});
