import { doctorOf, globalMedicines, practiseAt } from '../booking-support';
import { CaseSet, Ids, IsolationContext } from './matrix';

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
    const shortKey = await region.client.post<{ id: string }>(
      '/v1/short-keys',
      { code: 'B-ISO', name: 'B template', items: [{ medicineId: medicine.id, dosage: '1', frequency: '1-0-0', duration: '1 day' }] },
      { token: b.admin.token },
    );
    if (shortKey.status !== 201) throw new Error(`seeding a short key answered ${shortKey.status}: ${JSON.stringify(shortKey.body)}`);
    return out;
  },
  cases: {
    // B writes, as its own doctor in its own clinic, for A's patient.
    'POST /v1/prescriptions': {
      kind: 'foreign-reference',
      body: (ids: Ids) => ({
        clinicId: ids.b.clinic,
        patientId: ids.a.patient,
        items: [{ medicineId: ids.b.rxMedicine, dosage: '1 tablet', frequency: '1-0-1', duration: '3 days' }],
      }),
    },
    'GET /v1/prescriptions': { kind: 'collection', listKey: 'items' },
    'GET /v1/prescriptions/:id': { kind: 'foreign-id', resource: 'prescription' },
    'PATCH /v1/prescriptions/:id': { kind: 'foreign-id', resource: 'prescriptionDraft', body: { diagnosis: 'Hijacked', items: [] } },
    'DELETE /v1/prescriptions/:id': { kind: 'foreign-id', resource: 'prescriptionDraft' },
    'POST /v1/prescriptions/:id/short-keys': { kind: 'foreign-id', resource: 'prescriptionDraft', body: { code: 'B-ISO' } },
    'POST /v1/prescriptions/:id/finalize': { kind: 'foreign-id', resource: 'prescriptionDraft' },
    'POST /v1/prescriptions/:id/amendments': { kind: 'foreign-id', resource: 'prescription' },
  },
};

export default prescriptions;
