import { CaseSet, Ids } from './matrix';

interface Doctor {
  id: string;
  membershipId: string;
}

/** Doctors: profiles for memberships, and the clinics where they practise. */
const doctors: CaseSet = {
  async seed({ region, a, b, ids }) {
    const doctorOf = async (token: string, membershipId: string) => {
      const res = await region.client.get<Doctor[]>('/v1/doctors', { token });
      const doctor = res.body.find((d) => d.membershipId === membershipId);
      if (!doctor) throw new Error(`no doctor profile for membership ${membershipId}: ${JSON.stringify(res.body)}`);
      return doctor.id;
    };
    const aDoctor = await doctorOf(a.admin.token, a.admin.membershipId);
    const bDoctor = await doctorOf(b.admin.token, b.admin.membershipId);
    // A's doctor practises at A's second clinic, so there is a link for B to try to remove.
    const linked = await region.client.put(
      `/v1/doctors/${aDoctor}/clinics/${ids.a.clinic}`,
      { schedule: [{ weekday: 1, start: '09:00', end: '13:00' }] },
      { token: a.admin.token },
    );
    if (linked.status !== 200) throw new Error(`linking A's doctor answered ${linked.status}`);
    // A second admin of A without a profile: what B might try to make a profile for.
    const aAdmin = await a.addMember('org_admin', []);
    return { a: { doctor: aDoctor, adminWithoutProfile: aAdmin.membershipId }, b: { doctor: bDoctor } };
  },
  cases: {
    'POST /v1/doctors': { kind: 'foreign-reference', body: (ids: Ids) => ({ membershipId: ids.a.adminWithoutProfile }) },
    'GET /v1/doctors': { kind: 'collection' },
    'GET /v1/doctors/:id': { kind: 'foreign-id', resource: 'doctor' },
    'PATCH /v1/doctors/:id': { kind: 'foreign-id', resource: 'doctor', body: { specialization: 'Hijacked' } },
    'PUT /v1/doctors/:id/clinics/:clinicId': {
      kind: 'foreign-id',
      resource: 'doctor',
      params: { id: 'doctor', clinicId: 'clinic' },
      body: { schedule: [{ weekday: 2, start: '10:00', end: '11:00' }] },
    },
    'DELETE /v1/doctors/:id/clinics/:clinicId': { kind: 'foreign-id', resource: 'doctor', params: { id: 'doctor', clinicId: 'clinic' } },
  },
  /**
   * Doctors are the org's, but where they practise is shown among the caller's clinics only: A's
   * admin's doctor (ids.a.doctor) practises at clinic 2 alone, and a clinic-1 member reading the
   * doctors must not learn it. Only org admins make profiles and say where doctors practise.
   */
  clinic: {
    cases: {
      'POST /v1/doctors': { kind: 'forbidden', as: 'doctor', body: (ids: Ids) => ({ membershipId: ids.a.adminWithoutProfile }) },
      'GET /v1/doctors': [
        { kind: 'org-wide', reason: "doctors are the org's; their clinics are shown among the caller's", probe: { as: 'staff' } },
        // Clinic 2's doctors, asked for by a member who cannot see clinic 2: none.
        { kind: 'own-clinic', as: 'staff', empty: true, query: (ids: Ids) => ({ clinicId: ids.a.clinic }) },
      ],
      'GET /v1/doctors/:id': { kind: 'org-wide', reason: "doctors are the org's; their clinics are shown among the caller's", probe: { resource: 'doctor' } },
      // Another doctor's profile (a doctor edits only their own).
      'PATCH /v1/doctors/:id': { kind: 'forbidden', as: 'doctor', resource: 'doctor', body: { specialization: 'Hijacked' } },
      'PUT /v1/doctors/:id/clinics/:clinicId': {
        kind: 'forbidden',
        as: 'doctor',
        params: { id: 'doctor', clinicId: 'clinic' },
        body: { schedule: [{ weekday: 2, start: '10:00', end: '11:00' }] },
      },
      'DELETE /v1/doctors/:id/clinics/:clinicId': { kind: 'forbidden', as: 'doctor', params: { id: 'doctor', clinicId: 'clinic' } },
    },
  },
};

export default doctors;
