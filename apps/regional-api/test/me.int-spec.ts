import { TestOrg } from '@medgenie/testing';
import { addDoctor } from './booking-support';
import { startTestRegion, TestRegion } from './support';

interface Me {
  userId: string;
  organizationId: string;
  regionId: string;
  membership: { id: string; role: string; clinicIds: '*' | string[]; isActive: boolean };
  clinics: { id: string; name: string; isPrimary: boolean }[];
  doctor: { id: string } | null;
}

/** Issue 14: `GET /v1/me` on an org host gives the caller's membership, role, clinics and doctor profile. */
describe('GET /v1/me', () => {
  let region: TestRegion;
  let a: TestOrg;
  let b: TestOrg;
  beforeAll(async () => {
    region = await startTestRegion({ regionId: 'in' });
    [a, b] = await Promise.all([region.createOrg({ extraClinics: 1 }), region.createOrg()]);
  });
  afterAll(() => region?.close());

  const me = (token: string) => region.client.get<Me>('/v1/me', { token });

  it("gives an org admin their membership and every clinic, and no doctor profile unless they have one", async () => {
    const res = await me(a.admin.token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ userId: a.admin.userId, organizationId: a.orgId, regionId: 'in', membership: { role: 'org_admin', clinicIds: '*', isActive: true } });
    expect(res.body.clinics.map((c) => c.id).sort()).toEqual([...a.clinicIds].sort());
    expect(res.body.clinics[0].isPrimary).toBe(true);
  });

  it('gives a doctor their one clinic and their doctor profile', async () => {
    const doctor = await addDoctor(a, [a.clinicIds[1]]);
    const res = await me(doctor.token);
    expect(res.status).toBe(200);
    expect(res.body.membership).toMatchObject({ id: doctor.membershipId, role: 'doctor', clinicIds: [a.clinicIds[1]] });
    expect(res.body.clinics.map((c) => c.id)).toEqual([a.clinicIds[1]]);
    expect(res.body.doctor?.id).toBe(doctor.doctorId);
  });

  it("shows another org's caller only their own organization", async () => {
    const res = await me(b.admin.token);
    expect(res.body.organizationId).toBe(b.orgId);
    const text = JSON.stringify(res.body);
    for (const id of [a.orgId, ...a.clinicIds]) expect(text).not.toContain(id);
  });
});
