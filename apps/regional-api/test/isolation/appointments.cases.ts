import { doctorOf, practiseAt } from '../booking-support';
import { CaseSet, ClinicContext, Ids, IsolationContext } from './matrix';

/**
 * Appointments: each org gets its admin's doctor profile practising at a clinic, and one
 * appointment there (A's in its second clinic, the one its staff member works in).
 */
const appointments: CaseSet = {
  async seed({ region, a, b, ids }: IsolationContext) {
    const out: { a: Record<string, string>; b: Record<string, string> } = { a: {}, b: {} };
    for (const [org, key, clinicId] of [
      [a, 'a', ids.a.clinic],
      [b, 'b', ids.b.clinic],
    ] as const) {
      const doctorId = await doctorOf(org.orgId, org.admin.membershipId);
      await practiseAt(org.orgId, doctorId, clinicId);
      const res = await region.client.post<{ id: string }>(
        '/v1/appointments',
        { clinicId, patientId: ids[key].patient, doctorId, startsAt: '2032-01-05T09:00:00Z', durationMinutes: 15 },
        { token: org.admin.token },
      );
      if (res.status !== 201) throw new Error(`seeding an appointment answered ${res.status}: ${JSON.stringify(res.body)}`);
      out[key] = { bookingDoctor: doctorId, appointment: res.body.id };
    }
    return out;
  },
  cases: {
    'POST /v1/appointments': [
      // B books its own patient with its own doctor in its own clinic.
      {
        kind: 'collection',
        body: (ids: Ids) => ({ clinicId: ids.b.clinic, patientId: ids.b.patient, doctorId: ids.b.bookingDoctor, startsAt: '2032-01-08T09:00:00Z', durationMinutes: 15 }),
      },
      // B books, as itself, A's patient, A's doctor or A's clinic: each 404.
      { kind: 'foreign-reference', body: (ids: Ids) => booking(ids, { patientId: ids.a.patient }) },
      { kind: 'foreign-reference', body: (ids: Ids) => booking(ids, { doctorId: ids.a.bookingDoctor }) },
      { kind: 'foreign-reference', body: (ids: Ids) => booking(ids, { clinicId: ids.a.clinic }) },
    ],
    'GET /v1/appointments': [
      { kind: 'collection', listKey: 'items' },
      { kind: 'foreign-reference', query: (ids: Ids) => ({ clinicId: ids.a.clinic, date: '2032-01-05' }) },
    ],
    'GET /v1/appointments/:id': { kind: 'foreign-id', resource: 'appointment' },
    'PATCH /v1/appointments/:id': { kind: 'foreign-id', resource: 'appointment', body: { reason: 'Hijacked', startsAt: '2032-01-07T09:00:00Z' } },
    'POST /v1/appointments/:id/status': { kind: 'foreign-id', resource: 'appointment', body: { status: 'cancelled' } },
  },
  /**
   * Appointments are clinic-scoped and any member may manage them, so staff attack: clinic 1 has
   * an appointment of the same patient with its own doctor; clinic 2 has the seeded one.
   */
  clinic: {
    async seed({ region, org, ids }: ClinicContext) {
      const res = await region.client.post<{ id: string }>(
        '/v1/appointments',
        { clinicId: ids.b.clinic, patientId: ids.b.patient, doctorId: ids.b.bookingDoctor, startsAt: '2032-01-05T10:00:00Z', durationMinutes: 15 },
        { token: org.admin.token },
      );
      if (res.status !== 201) throw new Error(`seeding a clinic-1 appointment answered ${res.status}: ${JSON.stringify(res.body)}`);
      return { appointment: res.body.id };
    },
    cases: {
      'POST /v1/appointments': [
        {
          kind: 'own-clinic',
          as: 'staff',
          body: (ids: Ids) => ({ clinicId: ids.b.clinic, patientId: ids.b.patient, doctorId: ids.b.bookingDoctor, startsAt: '2032-01-08T10:00:00Z', durationMinutes: 15 }),
        },
        // The same patient at clinic 2, with the doctor who practises there.
        {
          kind: 'other-clinic-reference',
          as: 'staff',
          body: (ids: Ids) => ({ clinicId: ids.a.clinic, patientId: ids.b.patient, doctorId: ids.a.bookingDoctor, startsAt: '2032-01-09T09:00:00Z', durationMinutes: 15 }),
        },
      ],
      'GET /v1/appointments': [
        { kind: 'own-clinic', as: 'staff', listKey: 'items' },
        // The patient seen at both clinics: clinic 1's visit only.
        { kind: 'own-clinic', as: 'staff', listKey: 'items', query: (ids: Ids) => ({ patientId: ids.b.patient }) },
        // Clinic 2's doctor's day: nothing the caller may see.
        { kind: 'own-clinic', as: 'staff', listKey: 'items', empty: true, query: (ids: Ids) => ({ doctorId: ids.a.bookingDoctor, date: '2032-01-05' }) },
        { kind: 'other-clinic-reference', as: 'staff', query: (ids: Ids) => ({ clinicId: ids.a.clinic, date: '2032-01-05' }) },
      ],
      'GET /v1/appointments/:id': [
        { kind: 'other-clinic-id', as: 'staff', resource: 'appointment' },
        { kind: 'other-clinic-id', resource: 'appointment' },
      ],
      'PATCH /v1/appointments/:id': { kind: 'other-clinic-id', as: 'staff', resource: 'appointment', body: { reason: 'Hijacked', startsAt: '2032-01-07T09:00:00Z' } },
      'POST /v1/appointments/:id/status': { kind: 'other-clinic-id', as: 'staff', resource: 'appointment', body: { status: 'cancelled' } },
    },
  },
};

/** A booking by B of its own patient, doctor and clinic, with one of them swapped for A's. */
function booking(ids: Ids, swap: Record<string, string>) {
  return {
    clinicId: ids.b.clinic,
    patientId: ids.b.patient,
    doctorId: ids.b.bookingDoctor,
    startsAt: '2032-01-06T09:00:00Z',
    durationMinutes: 15,
    ...swap,
  };
}

export default appointments;
