import { doctorOf, globalMedicines, practiseAt } from '../booking-support';
import { CaseSet, ClinicContext, Ids, IsolationContext } from './matrix';

/**
 * Prescriptions: each org's admin (a doctor too) writes a draft and a final prescription in the
 * org's seeded clinic; B also gets a short key of its own, to try on A's draft.
 */
const prescriptions: CaseSet = {
  async seed({ region, a, b, ids }: IsolationContext) {
    const [medicine] = await globalMedicines(1);
    const out: { a: Record<string, string>; b: Record<string, string> } = { a: {}, b: {} };
    for (const [org, key] of [
      [a, 'a'],
      [b, 'b'],
    ] as const) {
      const clinicId = ids[key].clinic;
      await practiseAt(org.orgId, await doctorOf(org.orgId, org.admin.membershipId), clinicId);
      const write = async () => {
        const res = await region.client.post<{ id: string }>(
          '/v1/prescriptions',
          {
            clinicId,
            patientId: ids[key].patient,
            diagnosis: 'Seeded',
            items: [{ medicineId: medicine.id, dosage: '1 tablet', frequency: '1-0-1', duration: '3 days' }],
          },
          { token: org.admin.token },
        );
        if (res.status !== 201) throw new Error(`seeding a prescription answered ${res.status}: ${JSON.stringify(res.body)}`);
        return res.body.id;
      };
      const draft = await write();
      const final = await write();
      const finalized = await region.client.post(`/v1/prescriptions/${final}/finalize`, {}, { token: org.admin.token });
      if (finalized.status !== 200) throw new Error(`finalizing a seeded prescription answered ${finalized.status}`);
      out[key] = { prescriptionDraft: draft, prescription: final, rxMedicine: medicine.id };
    }
    const theirs = await region.client.post<{ id: string }>('/v1/medicines', { name: 'A Rx Tonic', form: 'syrup', strength: '5 ml' }, { token: a.admin.token });
    if (theirs.status !== 201) throw new Error(`seeding a medicine answered ${theirs.status}: ${JSON.stringify(theirs.body)}`);
    out.a.ownMedicine = theirs.body.id;
    const shortKey = await region.client.post<{ id: string }>(
      '/v1/short-keys',
      { code: 'B-ISO', name: 'B template', items: [{ medicineId: medicine.id, dosage: '1', frequency: '1-0-0', duration: '1 day' }] },
      { token: b.admin.token },
    );
    if (shortKey.status !== 201) throw new Error(`seeding a short key answered ${shortKey.status}: ${JSON.stringify(shortKey.body)}`);
    return out;
  },
  cases: {
    'POST /v1/prescriptions': [
      { kind: 'collection', body: (ids: Ids) => writing(ids, {}) },
      // B writes, as its own doctor in its own clinic, naming one of A's rows: each 404.
      { kind: 'foreign-reference', body: (ids: Ids) => writing(ids, { patientId: ids.a.patient }) },
      { kind: 'foreign-reference', body: (ids: Ids) => writing(ids, { clinicId: ids.a.clinic }) },
      { kind: 'foreign-reference', body: (ids: Ids) => writing(ids, { doctorId: ids.a.bookingDoctor }) },
      { kind: 'foreign-reference', body: (ids: Ids) => ({ appointmentId: ids.a.appointment, items: writing(ids, {}).items }) },
      { kind: 'foreign-reference', body: (ids: Ids) => writing(ids, { medicineId: ids.a.ownMedicine }) },
    ],
    'GET /v1/prescriptions': [
      { kind: 'collection', listKey: 'items' },
      { kind: 'foreign-reference', query: (ids: Ids) => ({ clinicId: ids.a.clinic }) },
    ],
    'GET /v1/prescriptions/:id': { kind: 'foreign-id', resource: 'prescription' },
    'PATCH /v1/prescriptions/:id': { kind: 'foreign-id', resource: 'prescriptionDraft', body: { diagnosis: 'Hijacked', items: [] } },
    'DELETE /v1/prescriptions/:id': { kind: 'foreign-id', resource: 'prescriptionDraft' },
    'POST /v1/prescriptions/:id/short-keys': { kind: 'foreign-id', resource: 'prescriptionDraft', body: { code: 'B-ISO' } },
    'POST /v1/prescriptions/:id/finalize': { kind: 'foreign-id', resource: 'prescriptionDraft' },
    'POST /v1/prescriptions/:id/amendments': { kind: 'foreign-id', resource: 'prescription' },
  },
  /**
   * Prescriptions are clinic-scoped: the clinic-1 doctor writes a draft there for the patient also
   * seen at clinic 2, where the seeded draft and final prescription are (by another doctor).
   */
  clinic: {
    async seed({ region, attackers, ids }: ClinicContext) {
      const res = await region.client.post<{ id: string }>('/v1/prescriptions', { ...ownWriting(ids), diagnosis: 'Clinic 1' }, { token: attackers.doctor.token });
      if (res.status !== 201) throw new Error(`seeding a clinic-1 prescription answered ${res.status}: ${JSON.stringify(res.body)}`);
      return { prescriptionDraft: res.body.id };
    },
    cases: {
      'POST /v1/prescriptions': [
        { kind: 'own-clinic', body: (ids: Ids) => ownWriting(ids) },
        { kind: 'other-clinic-reference', body: (ids: Ids) => ({ ...ownWriting(ids), clinicId: ids.a.clinic }) },
        // Written from clinic 2's appointment of the same patient (the clinic would be the appointment's).
        { kind: 'other-clinic-reference', body: (ids: Ids) => ({ appointmentId: ids.a.appointment, items: ownWriting(ids).items }) },
        { kind: 'forbidden', as: 'staff', body: (ids: Ids) => ownWriting(ids) },
      ],
      'GET /v1/prescriptions': [
        { kind: 'own-clinic', listKey: 'items' },
        { kind: 'own-clinic', as: 'staff', listKey: 'items', query: (ids: Ids) => ({ patientId: ids.b.patient }) },
        { kind: 'other-clinic-reference', as: 'staff', query: (ids: Ids) => ({ clinicId: ids.a.clinic }) },
      ],
      'GET /v1/prescriptions/:id': [
        { kind: 'other-clinic-id', as: 'staff', resource: 'prescription' },
        { kind: 'other-clinic-id', resource: 'prescriptionDraft' },
      ],
      'PATCH /v1/prescriptions/:id': { kind: 'other-clinic-id', resource: 'prescriptionDraft', body: { diagnosis: 'Hijacked', items: [] } },
      'DELETE /v1/prescriptions/:id': { kind: 'other-clinic-id', resource: 'prescriptionDraft' },
      'POST /v1/prescriptions/:id/short-keys': { kind: 'other-clinic-id', resource: 'prescriptionDraft', body: { code: 'FEVER' } },
      'POST /v1/prescriptions/:id/finalize': { kind: 'other-clinic-id', resource: 'prescriptionDraft' },
      'POST /v1/prescriptions/:id/amendments': { kind: 'other-clinic-id', resource: 'prescription', body: { reason: 'Hijacked' } },
    },
  },
};

/** A walk-in by the clinic-1 doctor (the caller) for the shared patient in clinic 1. */
function ownWriting(ids: Ids) {
  return {
    clinicId: ids.b.clinic,
    patientId: ids.b.patient,
    items: [{ medicineId: ids.b.rxMedicine, dosage: '1 tablet', frequency: '1-0-1', duration: '3 days' }],
  };
}

/** A walk-in by B's admin (a doctor) for B's patient in B's clinic, with one field swapped (medicineId: the line's). */
function writing(ids: Ids, swap: { patientId?: string; clinicId?: string; doctorId?: string; medicineId?: string }) {
  const { medicineId, ...fields } = swap;
  return {
    clinicId: ids.b.clinic,
    patientId: ids.b.patient,
    ...fields,
    items: [{ medicineId: medicineId ?? ids.b.rxMedicine, dosage: '1 tablet', frequency: '1-0-1', duration: '3 days' }],
  };
}

export default prescriptions;
