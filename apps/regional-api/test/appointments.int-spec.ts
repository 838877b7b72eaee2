import type { ErrorBody } from '@medgenie/http';
import { TestOrg } from '@medgenie/testing';
import { AppointmentView } from '../src/appointments/appointments.service';
import { Page } from '../src/common/page';
import { addDoctor, createPatient, doctorOf, practiseAt } from './booking-support';
import { withClient } from './db';
import { RACE_ENV, startTestRegion, testDb, TestRegion } from './support';

describe('appointments', () => {
  let region: TestRegion;
  let org: TestOrg;
  let other: TestOrg;
  let token: string;
  let mainClinic: string;
  /** A second clinic, in Kolkata (+05:30), where only `doctor` practises. */
  let kolkata: string;
  let doctor: string;
  let patient: string;

  beforeAll(async () => {
    // Enough connections that concurrent bookings really race in the database.
    region = await startTestRegion({ poolSize: 10, env: RACE_ENV });
    [org, other] = await Promise.all([region.createOrg(), region.createOrg()]);
    token = org.admin.token;
    mainClinic = org.clinicIds[0];
    const created = await region.client.post<{ id: string }>(
      '/v1/clinics',
      { name: 'Kolkata Clinic', code: 'KOL', timezone: 'Asia/Kolkata', settings: { appointmentSlotMinutes: 20 } },
      { token },
    );
    expect(created.status).toBe(201);
    kolkata = created.body.id;
    doctor = (await addDoctor(org, [mainClinic, kolkata])).doctorId;
    patient = await createPatient(region, token);
  });
  afterAll(() => region?.close());

  const book = (body: Record<string, unknown>, as = token) =>
    region.client.post<AppointmentView & ErrorBody>('/v1/appointments', { clinicId: mainClinic, patientId: patient, doctorId: doctor, ...body }, { token: as });
  const setStatus = (id: string, status: string, as = token) =>
    region.client.post<AppointmentView & ErrorBody>(`/v1/appointments/${id}/status`, { status }, { token: as });
  const list = (query: string, as = token) => region.client.get<Page<AppointmentView> & ErrorBody>(`/v1/appointments?${query}`, { token: as });

  it('books with an end, a duration or the clinic slot length, and reads it back', async () => {
    const withEnd = await book({ startsAt: '2031-01-06T09:00:00+05:30', endsAt: '2031-01-06T09:30:00+05:30', reason: 'Fever for three days' });
    expect(withEnd.status).toBe(201);
    expect(withEnd.body).toMatchObject({
      clinicId: mainClinic,
      patientId: patient,
      doctorId: doctor,
      startsAt: '2031-01-06T03:30:00.000Z',
      endsAt: '2031-01-06T04:00:00.000Z',
      status: 'scheduled',
      reason: 'Fever for three days',
    });
    const read = await region.client.get<AppointmentView>(`/v1/appointments/${withEnd.body.id}`, { token });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(withEnd.body);

    const withDuration = await book({ startsAt: '2031-01-06T10:00:00Z', durationMinutes: 45 });
    expect(withDuration.status).toBe(201);
    expect(withDuration.body.endsAt).toBe('2031-01-06T10:45:00.000Z');

    const clinicDefault = await book({ clinicId: kolkata, startsAt: '2031-01-06T12:00:00Z' });
    expect(clinicDefault.status).toBe(201);
    expect(clinicDefault.body.endsAt).toBe('2031-01-06T12:20:00.000Z');
  });

  it('lets exactly one of 20 concurrent bookings of the same doctor and slot through', async () => {
    const racer = await addDoctor(org, [mainClinic]);
    const patients = await Promise.all(Array.from({ length: 4 }, () => createPatient(region, token)));
    const startsAt = '2031-02-03T10:00:00Z';
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        book({ doctorId: racer.doctorId, patientId: patients[i % patients.length], startsAt, durationMinutes: 15 }),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    for (const res of responses.filter((r) => r.status === 409)) {
      expect(res.body).toMatchObject({ statusCode: 409, code: 'APPOINTMENT_SLOT_TAKEN' });
    }
    const rows = await withClient(testDb().adminUrl, (c) =>
      c.query('select id from appointments where organization_id = $1 and doctor_id = $2', [org.orgId, racer.doctorId]),
    );
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0].id).toBe(responses.find((r) => r.status === 201)?.body.id);
  });

  it('refuses an overlapping slot and accepts an adjacent one', async () => {
    const d = (await addDoctor(org, [mainClinic])).doctorId;
    expect((await book({ doctorId: d, startsAt: '2031-03-03T10:00:00Z', endsAt: '2031-03-03T10:30:00Z' })).status).toBe(201);
    for (const [startsAt, endsAt] of [
      ['2031-03-03T10:15:00Z', '2031-03-03T10:45:00Z'],
      ['2031-03-03T09:45:00Z', '2031-03-03T10:01:00Z'],
      ['2031-03-03T10:05:00Z', '2031-03-03T10:10:00Z'],
      ['2031-03-03T09:00:00Z', '2031-03-03T11:00:00Z'],
      ['2031-03-03T15:45:00+05:30', '2031-03-03T16:15:00+05:30'],
    ]) {
      const res = await book({ doctorId: d, startsAt, endsAt });
      expect({ startsAt, status: res.status, code: res.body.code }).toEqual({ startsAt, status: 409, code: 'APPOINTMENT_SLOT_TAKEN' });
    }
    expect((await book({ doctorId: d, startsAt: '2031-03-03T10:30:00Z', endsAt: '2031-03-03T11:00:00Z' })).status).toBe(201);
    expect((await book({ doctorId: d, startsAt: '2031-03-03T09:30:00Z', endsAt: '2031-03-03T10:00:00Z' })).status).toBe(201);
    // Another doctor is free at the same time.
    expect((await book({ startsAt: '2031-03-03T10:00:00Z', endsAt: '2031-03-03T10:30:00Z' })).status).toBe(201);
  });

  it('frees the slot when an appointment is cancelled or marked no-show', async () => {
    const d = (await addDoctor(org, [mainClinic])).doctorId;
    const slot = { doctorId: d, startsAt: '2031-04-07T08:00:00Z', durationMinutes: 30 };
    const first = await book(slot);
    expect(first.status).toBe(201);
    expect((await book(slot)).status).toBe(409);
    expect((await setStatus(first.body.id, 'cancelled')).body.status).toBe('cancelled');
    const second = await book(slot);
    expect(second.status).toBe(201);
    expect((await setStatus(second.body.id, 'no_show')).status).toBe(200);
    expect((await book(slot)).status).toBe(201);
  });

  it('moves through statuses only along the allowed transitions', async () => {
    const d = (await addDoctor(org, [mainClinic])).doctorId;
    let hour = 0;
    const fresh = async (...path: string[]) => {
      hour += 1;
      const res = await book({ doctorId: d, startsAt: `2031-05-05T${String(hour).padStart(2, '0')}:00:00Z`, durationMinutes: 30 });
      expect(res.status).toBe(201);
      for (const status of path) expect((await setStatus(res.body.id, status)).status).toBe(200);
      return res.body.id;
    };
    const allowed: [string[], string][] = [
      [[], 'checked_in'],
      [[], 'cancelled'],
      [[], 'no_show'],
      [['checked_in'], 'completed'],
      [['checked_in'], 'cancelled'],
    ];
    for (const [path, next] of allowed) {
      const res = await setStatus(await fresh(...path), next);
      expect({ path, next, status: res.status, now: res.body.status }).toEqual({ path, next, status: 200, now: next });
    }
    const refused: [string[], string][] = [
      [[], 'completed'],
      [[], 'scheduled'],
      [['checked_in'], 'no_show'],
      [['checked_in'], 'scheduled'],
      [['checked_in'], 'checked_in'],
      [['checked_in', 'completed'], 'cancelled'],
      [['checked_in', 'completed'], 'checked_in'],
      [['cancelled'], 'scheduled'],
      [['cancelled'], 'checked_in'],
      [['no_show'], 'checked_in'],
      [['no_show'], 'cancelled'],
    ];
    for (const [path, next] of refused) {
      const id = await fresh(...path);
      const res = await setStatus(id, next);
      expect({ path, next, status: res.status, code: res.body.code }).toEqual({ path, next, status: 409, code: 'INVALID_STATUS_TRANSITION' });
      const still = await region.client.get<AppointmentView>(`/v1/appointments/${id}`, { token });
      expect(still.body.status).toBe(path.length ? path[path.length - 1] : 'scheduled');
    }
    expect((await setStatus(await fresh(), 'finished')).status).toBe(400);
  });

  it('reschedules and changes the reason, and refuses to reschedule into a taken slot or a closed appointment', async () => {
    const d = (await addDoctor(org, [mainClinic])).doctorId;
    const a = (await book({ doctorId: d, startsAt: '2031-06-02T09:00:00Z', durationMinutes: 30 })).body;
    const b = (await book({ doctorId: d, startsAt: '2031-06-02T11:00:00Z', durationMinutes: 30 })).body;
    const moved = await region.client.patch<AppointmentView>(`/v1/appointments/${a.id}`, { startsAt: '2031-06-02T10:00:00Z', reason: 'Follow-up' }, { token });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ startsAt: '2031-06-02T10:00:00.000Z', endsAt: '2031-06-02T10:30:00.000Z', reason: 'Follow-up' });
    const longer = await region.client.patch<AppointmentView>(`/v1/appointments/${a.id}`, { durationMinutes: 60 }, { token });
    expect(longer.body).toMatchObject({ startsAt: '2031-06-02T10:00:00.000Z', endsAt: '2031-06-02T11:00:00.000Z' });
    const clash = await region.client.patch<ErrorBody>(`/v1/appointments/${a.id}`, { startsAt: '2031-06-02T10:45:00Z' }, { token });
    expect(clash).toMatchObject({ status: 409, body: { code: 'APPOINTMENT_SLOT_TAKEN' } });
    const cleared = await region.client.patch<AppointmentView>(`/v1/appointments/${a.id}`, { reason: null }, { token });
    expect(cleared.body.reason).toBeNull();

    await setStatus(b.id, 'checked_in');
    const lateMove = await region.client.patch<ErrorBody>(`/v1/appointments/${b.id}`, { startsAt: '2031-06-02T12:00:00Z' }, { token });
    expect(lateMove).toMatchObject({ status: 409, body: { code: 'APPOINTMENT_NOT_EDITABLE' } });
    expect((await region.client.patch(`/v1/appointments/${b.id}`, { reason: 'Checked in: cough' }, { token })).status).toBe(200);
    await setStatus(b.id, 'completed');
    expect((await region.client.patch(`/v1/appointments/${b.id}`, { reason: 'x' }, { token })).status).toBe(409);
    expect((await region.client.patch(`/v1/appointments/${a.id}`, { endsAt: '2031-06-02T09:00:00Z' }, { token })).status).toBe(400);
  });

  it("books only within the doctor's weekly hours at the clinic, read in the clinic's time zone", async () => {
    const clinic = await region.client.post<{ id: string }>('/v1/clinics', { name: 'Toronto Clinic', code: 'TOR', timezone: 'America/Toronto' }, { token });
    expect(clinic.status).toBe(201);
    const { doctorId } = await addDoctor(org, [clinic.body.id]);
    // Mondays 09:00-13:00 and 14:00-24:00, Toronto time (2031-03-03 is a Monday, UTC-05:00).
    const schedule = [
      { weekday: 1, start: '09:00', end: '13:00' },
      { weekday: 1, start: '14:00', end: '24:00' },
    ];
    expect((await region.client.put(`/v1/doctors/${doctorId}/clinics/${clinic.body.id}`, { schedule }, { token })).status).toBe(200);
    const at = (startsAt: string, durationMinutes = 30) => book({ clinicId: clinic.body.id, doctorId, startsAt, durationMinutes });

    const inHours = await at('2031-03-03T10:00:00-05:00');
    expect(inHours.status).toBe(201);
    expect((await at('2031-03-03T23:30:00-05:00')).status).toBe(201); // ends at midnight, the window's end
    for (const startsAt of ['2031-03-03T12:45:00-05:00', '2031-03-03T08:30:00-05:00', '2031-03-04T10:00:00-05:00', '2031-03-03T10:00:00Z']) {
      const res = await at(startsAt);
      expect({ startsAt, status: res.status, code: res.body.code }).toEqual({ startsAt, status: 409, code: 'OUTSIDE_DOCTOR_HOURS' });
    }
    // Rescheduling is held to the same hours.
    const moveTo = (startsAt: string) => region.client.patch<AppointmentView & ErrorBody>(`/v1/appointments/${inHours.body.id}`, { startsAt }, { token });
    expect((await moveTo('2031-03-04T10:00:00-05:00')).body.code).toBe('OUTSIDE_DOCTOR_HOURS');
    expect((await moveTo('2031-03-03T15:00:00-05:00')).status).toBe(200);
  });

  it('refuses bad times with 400 and books nothing', async () => {
    const d = (await addDoctor(org, [mainClinic])).doctorId;
    const cases = [
      { startsAt: '2031-07-01T10:00:00', durationMinutes: 15 }, // no offset
      { startsAt: '2031-07-01 10:00:00Z', durationMinutes: 15 },
      { startsAt: '2031-13-01T10:00:00Z', durationMinutes: 15 },
      { startsAt: '2031-07-01T10:00:00Z', endsAt: '2031-07-01T10:00:00Z' },
      { startsAt: '2031-07-01T10:00:00Z', endsAt: '2031-07-01T09:00:00Z' },
      { startsAt: '2031-07-01T10:00:00Z', endsAt: '2031-07-01T22:00:01Z' },
      { startsAt: '2031-07-01T10:00:00Z', durationMinutes: 721 },
      { startsAt: '2031-07-01T10:00:00Z', durationMinutes: 0 },
      { startsAt: '2031-07-01T10:00:00Z', endsAt: '2031-07-01T10:30:00Z', durationMinutes: 30 },
      { startsAt: '1931-07-01T10:00:00Z', durationMinutes: 30 },
    ];
    for (const body of cases) {
      const res = await book({ doctorId: d, ...body });
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
    }
    expect((await book({ doctorId: d, startsAt: '2031-07-01T10:00:00Z', endsAt: '2031-07-01T22:00:00Z' })).status).toBe(201);
    expect((await book({ doctorId: d, startsAt: '2031-07-02T10:00:00Z', patientId: 'not-a-uuid' })).status).toBe(400);
    expect((await book({ doctorId: d, startsAt: '2031-07-02T10:00:00Z', extra: 1 })).status).toBe(400);
  });

  it('refuses a start in the past (422 APPOINTMENT_IN_PAST), booked or rescheduled, with a few minutes of grace', async () => {
    const d = (await addDoctor(org, [mainClinic])).doctorId;
    const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
    const past = await book({ doctorId: d, startsAt: ago(60), durationMinutes: 15 });
    expect(past.status).toBe(422);
    expect(past.body).toMatchObject({ statusCode: 422, error: 'Unprocessable Entity', code: 'APPOINTMENT_IN_PAST' });
    expect((await list(`doctorId=${d}`)).body.items).toEqual([]);
    const walkIn = await book({ doctorId: d, startsAt: ago(1), durationMinutes: 15 });
    expect(walkIn.status).toBe(201);
    const later = await book({ doctorId: d, startsAt: '2031-10-20T09:00:00Z', durationMinutes: 15 });
    expect(later.status).toBe(201);
    const moved = await region.client.patch<AppointmentView & ErrorBody>(`/v1/appointments/${later.body.id}`, { startsAt: ago(120) }, { token });
    expect(moved.status).toBe(422);
    expect(moved.body.code).toBe('APPOINTMENT_IN_PAST');
    const unchanged = await region.client.get<AppointmentView>(`/v1/appointments/${later.body.id}`, { token });
    expect(unchanged.body.startsAt).toBe('2031-10-20T09:00:00.000Z');
    // Changing only the length of an appointment that has begun is not a booking in the past.
    expect((await region.client.patch(`/v1/appointments/${walkIn.body.id}`, { durationMinutes: 30 }, { token })).status).toBe(200);
  });

  it("answers the times on the clinic's clock too, with the offset and the clinic's time zone", async () => {
    const local = { timeZone: 'Asia/Kolkata', startsAtLocal: '2031-10-15T10:30:00+05:30', endsAtLocal: '2031-10-15T10:50:00+05:30' };
    const created = await book({ clinicId: kolkata, startsAt: '2031-10-15T10:30:00+05:30' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ startsAt: '2031-10-15T05:00:00.000Z', endsAt: '2031-10-15T05:20:00.000Z', ...local });
    const id = created.body.id;
    expect((await region.client.get(`/v1/appointments/${id}`, { token })).body).toMatchObject(local);
    const day = await list(`clinicId=${kolkata}&date=2031-10-15`);
    expect(day.body.items.find((a) => a.id === id)).toMatchObject(local);
    const renamed = await region.client.patch(`/v1/appointments/${id}`, { reason: 'Follow-up' }, { token });
    expect(renamed.body).toMatchObject(local);
    const moved = await region.client.patch(`/v1/appointments/${id}`, { startsAt: '2031-10-15T18:45:00Z' }, { token });
    expect(moved.body).toMatchObject({ timeZone: 'Asia/Kolkata', startsAtLocal: '2031-10-16T00:15:00+05:30', endsAtLocal: '2031-10-16T00:35:00+05:30' });
    expect((await setStatus(id, 'cancelled')).body).toMatchObject({ status: 'cancelled', startsAtLocal: '2031-10-16T00:15:00+05:30' });
    const utc = await book({ startsAt: '2031-10-15T10:30:00Z', durationMinutes: 15 });
    expect(utc.body).toMatchObject({ timeZone: expect.any(String), startsAtLocal: expect.stringMatching(/^2031-10-15T\d{2}:\d{2}:00[+-]\d{2}:\d{2}$/) });
  });

  it('lists a day in the clinic time zone, by clinic, doctor and patient, ordered by start, with paging', async () => {
    const toronto = await region.client.post<{ id: string }>('/v1/clinics', { name: 'Toronto Clinic', code: 'YYZ', timezone: 'America/Toronto' }, { token });
    expect(toronto.status).toBe(201);
    const d = (await addDoctor(org, [kolkata, toronto.body.id])).doctorId;
    const p = await createPatient(region, token);
    const at = async (clinicId: string, startsAt: string) => {
      const res = await book({ clinicId, doctorId: d, patientId: p, startsAt, durationMinutes: 30 });
      expect(res.status).toBe(201);
      return res.body.id;
    };
    // 2031-08-10 in Kolkata (+05:30) runs from 2031-08-09T18:30Z to 2031-08-10T18:30Z;
    // in Toronto (-04:00 in August) from 2031-08-10T04:00Z to 2031-08-11T04:00Z.
    const k = [
      await at(kolkata, '2031-08-09T18:00:00Z'),
      await at(kolkata, '2031-08-09T18:30:00Z'),
      await at(kolkata, '2031-08-10T04:30:00Z'),
      await at(kolkata, '2031-08-10T18:00:00Z'),
      await at(kolkata, '2031-08-10T18:30:00Z'),
    ];
    const t = [await at(toronto.body.id, '2031-08-10T03:00:00Z'), await at(toronto.body.id, '2031-08-11T02:00:00Z')];
    const ids = (res: { body: Page<AppointmentView> }) => res.body.items.map((a) => a.id);

    const day = await list(`date=2031-08-10&clinicId=${kolkata}`);
    expect(day.status).toBe(200);
    expect(ids(day)).toEqual([k[1], k[2], k[3]]);
    expect(ids(await list(`date=2031-08-09&clinicId=${kolkata}`))).toEqual([k[0]]);
    expect(ids(await list(`date=2031-08-10&clinicId=${toronto.body.id}`))).toEqual([t[1]]);
    expect(ids(await list(`date=2031-08-09&clinicId=${toronto.body.id}`))).toEqual([t[0]]);
    // A doctor's or a patient's day spans clinics, each appointment judged in its own clinic's zone.
    const doctorsDay = [k[1], k[2], k[3], t[1]];
    expect(ids(await list(`date=2031-08-10&doctorId=${d}`))).toEqual(doctorsDay);
    expect(ids(await list(`date=2031-08-10&patientId=${p}`))).toEqual(doctorsDay);

    const page1 = await list(`date=2031-08-10&doctorId=${d}&limit=3`);
    expect(page1.body).toMatchObject({ limit: 3, offset: 0, hasMore: true });
    expect(ids(page1)).toEqual(doctorsDay.slice(0, 3));
    const page2 = await list(`date=2031-08-10&doctorId=${d}&limit=3&offset=3`);
    expect(page2.body).toMatchObject({ limit: 3, offset: 3, hasMore: false });
    expect(ids(page2)).toEqual(doctorsDay.slice(3));

    await setStatus(k[2], 'cancelled');
    expect(ids(await list(`date=2031-08-10&clinicId=${kolkata}&status=cancelled`))).toEqual([k[2]]);
    expect(ids(await list(`date=2031-08-10&doctorId=${d}&status=scheduled`))).toEqual([k[1], k[3], t[1]]);
    expect(ids(await list(`patientId=${p}`))).toEqual([k[0], k[1], t[0], k[2], k[3], k[4], t[1]]);

    expect((await list('date=2031-08-10')).status).toBe(400);
    expect((await list(`date=2031-02-30&clinicId=${kolkata}`)).status).toBe(400);
    expect((await list(`date=10-08-2031&clinicId=${kolkata}`)).status).toBe(400);
    expect((await list(`status=done&clinicId=${kolkata}`)).status).toBe(400);
    expect((await list(`limit=101&clinicId=${kolkata}`)).status).toBe(400);
    expect((await list(`clinicId=${other.clinicIds[0]}`)).status).toBe(404);
  });

  it('hides a clinic from staff without access to it (404), and lets staff book where they work', async () => {
    const staff = await org.addMember('staff', [mainClinic]);
    const inKolkata = (await book({ clinicId: kolkata, startsAt: '2031-09-01T05:00:00Z', durationMinutes: 15 })).body;
    const staffBooks = await book({ startsAt: '2031-09-01T06:00:00Z', durationMinutes: 15 }, staff.token);
    expect(staffBooks.status).toBe(201);

    const denied = await book({ clinicId: kolkata, startsAt: '2031-09-01T07:00:00Z', durationMinutes: 15 }, staff.token);
    expect(denied).toMatchObject({ status: 404, body: { code: 'CLINIC_NOT_FOUND' } });
    expect((await region.client.get(`/v1/appointments/${inKolkata.id}`, { token: staff.token })).status).toBe(404);
    expect((await region.client.patch(`/v1/appointments/${inKolkata.id}`, { reason: 'x' }, { token: staff.token })).status).toBe(404);
    expect((await setStatus(inKolkata.id, 'cancelled', staff.token)).status).toBe(404);
    expect((await list(`clinicId=${kolkata}`, staff.token)).status).toBe(404);
    const mine = await list(`date=2031-09-01&doctorId=${doctor}`, staff.token);
    expect(mine.body.items.map((a) => a.id)).toEqual([staffBooks.body.id]);
    expect((await region.client.get<AppointmentView>(`/v1/appointments/${inKolkata.id}`, { token })).body.status).toBe('scheduled');
  });

  it("answers 404 for another org's clinic, patient or doctor, and 409 for a doctor who does not practise at the clinic", async () => {
    const theirDoctor = await doctorOf(other.orgId, other.admin.membershipId);
    await practiseAt(other.orgId, theirDoctor, other.clinicIds[0]);
    const theirPatient = await createPatient(region, other.admin.token);
    const slot = { startsAt: '2031-10-01T09:00:00Z', durationMinutes: 15 };
    expect(await book({ ...slot, clinicId: other.clinicIds[0] })).toMatchObject({ status: 404, body: { code: 'CLINIC_NOT_FOUND' } });
    expect(await book({ ...slot, patientId: theirPatient })).toMatchObject({ status: 404, body: { code: 'PATIENT_NOT_FOUND' } });
    expect(await book({ ...slot, doctorId: theirDoctor })).toMatchObject({ status: 404, body: { code: 'DOCTOR_NOT_FOUND' } });

    const elsewhere = (await addDoctor(org, [kolkata])).doctorId;
    expect(await book({ ...slot, doctorId: elsewhere })).toMatchObject({ status: 409, body: { code: 'DOCTOR_NOT_AT_CLINIC' } });
    const count = await withClient(testDb().adminUrl, (c) =>
      c.query('select count(*)::int as n from appointments where doctor_id = any($1::uuid[])', [[theirDoctor, elsewhere]]),
    );
    expect(count.rows[0].n).toBe(0);
    const mine = await book({ ...slot });
    expect(mine.status).toBe(201);
    expect((await region.client.get(`/v1/appointments/${mine.body.id}`, { token: other.admin.token })).status).toBe(404);
  });

  it('writes an audit event for every read and write, with identifiers only', async () => {
    const created = await book({ startsAt: '2031-11-03T09:00:00Z', durationMinutes: 15, reason: 'Secret reason' });
    const id = created.body.id;
    await region.client.get(`/v1/appointments/${id}`, { token });
    await region.client.patch(`/v1/appointments/${id}`, { reason: 'Another secret' }, { token });
    await setStatus(id, 'checked_in');
    await list(`date=2031-11-03&clinicId=${mainClinic}`);
    const events = await withClient(testDb().adminUrl, (c) =>
      c.query<{ action: string; clinic_id: string | null; details: Record<string, unknown> }>(
        `select action, clinic_id, details from audit_events
          where organization_id = $1 and (resource_id = $2 or (action = 'appointment.list' and details -> 'ids' ? $2::text)) order by occurred_at`,
        [org.orgId, id],
      ),
    );
    expect(events.rows.map((e) => e.action)).toEqual([
      'appointment.create',
      'appointment.read',
      'appointment.update',
      'appointment.status',
      'appointment.list',
    ]);
    expect(events.rows.every((e) => e.clinic_id === mainClinic)).toBe(true);
    expect(JSON.stringify(events.rows).toLowerCase()).not.toContain('secret');
  });

  it('refuses to delete a patient who has appointments (409 PATIENT_HAS_RECORDS)', async () => {
    const p = await createPatient(region, token);
    expect((await book({ patientId: p, startsAt: '2031-12-01T09:00:00Z', durationMinutes: 15 })).status).toBe(201);
    const res = await region.client.delete<ErrorBody>(`/v1/patients/${p}`, { token });
    expect(res).toMatchObject({ status: 409, body: { code: 'PATIENT_HAS_RECORDS' } });
    expect((await region.client.get(`/v1/patients/${p}`, { token })).status).toBe(200);
    const fresh = await createPatient(region, token);
    expect((await region.client.delete(`/v1/patients/${fresh}`, { token })).status).toBe(204);
  });
});
