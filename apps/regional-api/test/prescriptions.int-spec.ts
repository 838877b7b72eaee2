import type { ErrorBody } from '@medgenie/http';
import { TestMember, TestOrg } from '@medgenie/testing';
import { addDoctor, createPatient, doctorOf, globalMedicines, MedicineRow, orgMedicine, practiseAt } from './booking-support';
import { Page } from '../src/common/page';
import { PrescriptionItemView, PrescriptionView } from '../src/prescriptions/prescriptions.types';
import { withClient } from './db';
import { RACE_ENV, startTestRegion, testDb, TestRegion } from './support';

type Res = PrescriptionView & ErrorBody;

describe('prescriptions', () => {
  let region: TestRegion;
  let org: TestOrg;
  let other: TestOrg;
  let admin: string;
  let clinic: string;
  let doctor: TestMember & { doctorId: string };
  let staff: TestMember;
  let patient: string;
  let meds: MedicineRow[];

  beforeAll(async () => {
    region = await startTestRegion({ env: RACE_ENV });
    [org, other] = await Promise.all([region.createOrg({ extraClinics: 1 }), region.createOrg()]);
    admin = org.admin.token;
    clinic = org.clinicIds[0];
    doctor = await addDoctor(org, [clinic]);
    staff = await org.addMember('staff', [clinic]);
    patient = await createPatient(region, admin);
    meds = await globalMedicines(6);
  });
  afterAll(() => region?.close());

  const line = (medicine: MedicineRow, extra: Partial<PrescriptionItemView> = {}) => ({
    medicineId: medicine.id,
    dosage: '1 tablet',
    frequency: '1-0-1',
    duration: '5 days',
    ...extra,
  });
  const write = (body: Record<string, unknown>, token = doctor.token) =>
    region.client.post<Res>('/v1/prescriptions', { clinicId: clinic, patientId: patient, ...body }, { token });
  const get = (id: string, token = admin) => region.client.get<Res>(`/v1/prescriptions/${id}`, { token });
  const finalize = (id: string, token = doctor.token) => region.client.post<Res>(`/v1/prescriptions/${id}/finalize`, {}, { token });
  const amend = (id: string, token = doctor.token) => region.client.post<Res>(`/v1/prescriptions/${id}/amendments`, {}, { token });
  const list = (query: string, token = admin) => region.client.get<Page<PrescriptionView> & ErrorBody>(`/v1/prescriptions?${query}`, { token });
  const shortKey = async (code: string, medicines: MedicineRow[]) => {
    const res = await region.client.post<{ id: string }>(
      '/v1/short-keys',
      { code, name: `${code} template`, items: medicines.map((m, i) => line(m, { dosage: `${i + 1} tablet`, instructions: 'after food' })) },
      { token: admin },
    );
    expect(res.status).toBe(201);
    return res.body.id;
  };

  it('writes a walk-in prescription with its items in order, the medicine names snapshotted, and reads it back', async () => {
    const created = await write({
      diagnosis: 'Acute pharyngitis',
      notes: 'Warm saline gargles',
      items: [line(meds[0], { quantity: 10, instructions: 'after food' }), line(meds[1], { frequency: '0-0-1', duration: '3 days' })],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      clinicId: clinic,
      patientId: patient,
      doctorId: doctor.doctorId,
      appointmentId: null,
      status: 'draft',
      version: 1,
      amendsId: null,
      amendedById: null,
      diagnosis: 'Acute pharyngitis',
      notes: 'Warm saline gargles',
      finalizedAt: null,
    });
    expect(created.body.items).toEqual([
      expect.objectContaining({ position: 0, medicineId: meds[0].id, medicineName: meds[0].name, quantity: 10, instructions: 'after food', shortKeyId: null }),
      expect.objectContaining({ position: 1, medicineId: meds[1].id, medicineName: meds[1].name, frequency: '0-0-1', duration: '3 days', quantity: null }),
    ]);
    const read = await get(created.body.id, staff.token);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
  });

  it('writes from an appointment: clinic, patient and doctor must agree with it', async () => {
    const p = await createPatient(region, admin);
    const booked = await region.client.post<{ id: string }>(
      '/v1/appointments',
      { clinicId: clinic, patientId: p, doctorId: doctor.doctorId, startsAt: '2032-02-02T09:00:00Z', durationMinutes: 15 },
      { token: admin },
    );
    expect(booked.status).toBe(201);
    const fromAppointment = await region.client.post<Res>(
      '/v1/prescriptions',
      { appointmentId: booked.body.id, items: [line(meds[0])] },
      { token: doctor.token },
    );
    expect(fromAppointment.status).toBe(201);
    expect(fromAppointment.body).toMatchObject({ appointmentId: booked.body.id, clinicId: clinic, patientId: p, doctorId: doctor.doctorId });
    expect((await list(`appointmentId=${booked.body.id}`)).body.items.map((x) => x.id)).toEqual([fromAppointment.body.id]);

    const wrongPatient = await write({ appointmentId: booked.body.id, patientId: patient, items: [line(meds[0])] });
    expect(wrongPatient).toMatchObject({ status: 409, body: { code: 'APPOINTMENT_MISMATCH' } });
    const wrongClinic = await write({ appointmentId: booked.body.id, patientId: p, clinicId: org.clinicIds[1] });
    expect(wrongClinic).toMatchObject({ status: 409, body: { code: 'APPOINTMENT_MISMATCH' } });
    const otherDoctor = await addDoctor(org, [clinic]);
    const notTheirs = await region.client.post<Res>('/v1/prescriptions', { appointmentId: booked.body.id }, { token: otherDoctor.token });
    expect(notTheirs).toMatchObject({ status: 409, body: { code: 'APPOINTMENT_MISMATCH' } });
    const unknown = await region.client.post<Res>('/v1/prescriptions', { appointmentId: '00000000-0000-4000-8000-000000000000' }, { token: doctor.token });
    expect(unknown).toMatchObject({ status: 404, body: { code: 'APPOINTMENT_NOT_FOUND' } });
  });

  it('applies short keys at creation and on a draft, appending their lines marked with the key', async () => {
    const fever = await shortKey('FEVER', [meds[2], meds[3]]);
    const cough = await shortKey('COUGH', [meds[4]]);
    const created = await write({ items: [line(meds[0])], shortKeys: ['fever'] });
    expect(created.status).toBe(201);
    expect(created.body.items.map((i) => [i.position, i.medicineId, i.shortKeyId, i.dosage, i.instructions])).toEqual([
      [0, meds[0].id, null, '1 tablet', null],
      [1, meds[2].id, fever, '1 tablet', 'after food'],
      [2, meds[3].id, fever, '2 tablet', 'after food'],
    ]);
    const applied = await region.client.post<Res>(`/v1/prescriptions/${created.body.id}/short-keys`, { code: 'COUGH' }, { token: doctor.token });
    expect(applied.status).toBe(200);
    expect(applied.body.items.map((i) => [i.position, i.medicineId, i.shortKeyId])).toEqual([
      [0, meds[0].id, null],
      [1, meds[2].id, fever],
      [2, meds[3].id, fever],
      [3, meds[4].id, cough],
    ]);
    const byId = await region.client.post<Res>(`/v1/prescriptions/${created.body.id}/short-keys`, { code: fever }, { token: doctor.token });
    expect(byId.body.items).toHaveLength(6);

    const unknown = await region.client.post<Res>(`/v1/prescriptions/${created.body.id}/short-keys`, { code: 'NOPE' }, { token: doctor.token });
    expect(unknown).toMatchObject({ status: 404, body: { code: 'SHORT_KEY_NOT_FOUND' } });
    expect(await write({ shortKeys: ['NOPE'] })).toMatchObject({ status: 404, body: { code: 'SHORT_KEY_NOT_FOUND' } });
    expect((await get(created.body.id)).body.items).toHaveLength(6);
  });

  it('edits a draft (fields, then every line) and deletes a draft', async () => {
    const draft = (await write({ diagnosis: 'Cold', items: [line(meds[0]), line(meds[1])] })).body;
    const edited = await region.client.patch<Res>(`/v1/prescriptions/${draft.id}`, { diagnosis: 'Viral fever', notes: 'Review in 3 days' }, { token: doctor.token });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ diagnosis: 'Viral fever', notes: 'Review in 3 days' });
    expect(edited.body.items).toHaveLength(2);
    const relined = await region.client.patch<Res>(`/v1/prescriptions/${draft.id}`, { items: [line(meds[3], { quantity: 6 })] }, { token: doctor.token });
    expect(relined.body).toMatchObject({ diagnosis: 'Viral fever', notes: 'Review in 3 days' });
    expect(relined.body.items.map((i) => [i.position, i.medicineId, i.quantity])).toEqual([[0, meds[3].id, 6]]);
    const cleared = await region.client.patch<Res>(`/v1/prescriptions/${draft.id}`, { notes: null }, { token: admin });
    expect(cleared.body.notes).toBeNull();

    const otherDoctor = await addDoctor(org, [clinic]);
    const notMine = await region.client.patch<Res>(`/v1/prescriptions/${draft.id}`, { diagnosis: 'x' }, { token: otherDoctor.token });
    expect(notMine).toMatchObject({ status: 403, body: { code: 'NOT_THE_PRESCRIBER' } });
    expect((await region.client.delete(`/v1/prescriptions/${draft.id}`, { token: otherDoctor.token })).status).toBe(403);

    expect((await region.client.delete(`/v1/prescriptions/${draft.id}`, { token: doctor.token })).status).toBe(204);
    expect((await get(draft.id)).status).toBe(404);
    const rows = await withClient(testDb().adminUrl, (c) => c.query('select count(*)::int as n from prescription_items where prescription_id = $1', [draft.id]));
    expect(rows.rows[0].n).toBe(0);
  });

  it('makes a finalized prescription immutable through the API: every change answers 409 PRESCRIPTION_FINAL', async () => {
    await shortKey('GASTRIC', [meds[5]]);
    const rx = (await write({ diagnosis: 'Gastritis', items: [line(meds[5])] })).body;
    expect((await finalize(rx.id)).body).toMatchObject({ status: 'final', finalizedAt: expect.any(String) });
    const before = (await get(rx.id)).body;

    const attempts = [
      region.client.patch<Res>(`/v1/prescriptions/${rx.id}`, { diagnosis: 'Changed' }, { token: doctor.token }),
      region.client.patch<Res>(`/v1/prescriptions/${rx.id}`, { items: [line(meds[0])] }, { token: doctor.token }),
      region.client.delete<Res>(`/v1/prescriptions/${rx.id}`, { token: doctor.token }),
      region.client.post<Res>(`/v1/prescriptions/${rx.id}/short-keys`, { code: 'GASTRIC' }, { token: doctor.token }),
      finalize(rx.id),
      region.client.patch<Res>(`/v1/prescriptions/${rx.id}`, { notes: 'Admin edit' }, { token: admin }),
    ];
    for (const res of await Promise.all(attempts)) expect(res).toMatchObject({ status: 409, body: { code: 'PRESCRIPTION_FINAL' } });
    expect((await get(rx.id)).body).toEqual(before);

    const empty = (await write({})).body;
    expect(await finalize(empty.id)).toMatchObject({ status: 409, body: { code: 'PRESCRIPTION_EMPTY' } });
  });

  it('makes a finalized prescription immutable in the database: the app role cannot change it by SQL', async () => {
    const rx = (await write({ items: [line(meds[0]), line(meds[1])] })).body;
    await finalize(rx.id);
    const itemId = rx.items[0].id;
    const attempts: [string, unknown[]][] = [
      ['update prescriptions set diagnosis = $2 where id = $1', [rx.id, 'Rewritten']],
      ["update prescriptions set status = 'draft', finalized_at = null where id = $1", [rx.id]],
      ['delete from prescriptions where id = $1', [rx.id]],
      ['update prescription_items set dosage = $2 where id = $1', [itemId, '10 tablets']],
      ['delete from prescription_items where id = $1', [itemId]],
      [
        `insert into prescription_items (organization_id, clinic_id, prescription_id, position, medicine_id, medicine_name, dosage, frequency, duration)
         values ($2, $3, $1, 9, $4, 'x', '1', '1', '1')`,
        [rx.id, org.orgId, clinic, meds[2].id],
      ],
    ];
    await withClient(testDb().appUrl, async (c) => {
      for (const [sql, values] of attempts) {
        await c.query('begin');
        await c.query("select set_config('app.org_id', $1, true), set_config('app.clinic_ids', '*', true)", [org.orgId]);
        await expect(c.query(sql, values)).rejects.toMatchObject({ code: '23514', constraint: 'prescriptions_final_immutable' });
        await c.query('rollback');
      }
    });
    const after = (await get(rx.id)).body;
    expect(after).toMatchObject({ status: 'final', diagnosis: null });
    expect(after.items.map((i) => i.dosage)).toEqual(['1 tablet', '1 tablet']);
  });

  it('amends a final prescription as a new version linked both ways, once per version', async () => {
    const fever = await shortKey('VIRAL', [meds[1]]);
    const v1 = (await write({ diagnosis: 'Viral fever', items: [line(meds[0], { quantity: 10 })], shortKeys: ['VIRAL'] })).body;
    expect(await amend(v1.id)).toMatchObject({ status: 409, body: { code: 'PRESCRIPTION_NOT_FINAL' } });
    await finalize(v1.id);

    const v2 = await amend(v1.id);
    expect(v2.status).toBe(201);
    expect(v2.body).toMatchObject({
      status: 'draft',
      version: 2,
      amendsId: v1.id,
      amendedById: null,
      diagnosis: 'Viral fever',
      patientId: patient,
      clinicId: clinic,
      doctorId: doctor.doctorId,
    });
    const strip = (items: PrescriptionItemView[]) => items.map(({ id: _id, ...rest }) => rest);
    expect(strip(v2.body.items)).toEqual(strip(v1.items));
    expect(v2.body.items.map((i) => i.shortKeyId)).toEqual([null, fever]);
    expect(v2.body.items.every((i) => !v1.items.some((o) => o.id === i.id))).toBe(true);
    expect((await get(v1.id)).body).toMatchObject({ status: 'final', amendedById: v2.body.id, amendsId: null });

    expect(await amend(v1.id)).toMatchObject({ status: 409, body: { code: 'PRESCRIPTION_ALREADY_AMENDED' } });
    expect(await amend(v2.body.id)).toMatchObject({ status: 409, body: { code: 'PRESCRIPTION_NOT_FINAL' } });

    // The draft amendment is edited like any draft, then finalized and amended in turn.
    await region.client.patch(`/v1/prescriptions/${v2.body.id}`, { items: [line(meds[0], { quantity: 20 })] }, { token: doctor.token });
    await finalize(v2.body.id);
    const v3 = (await amend(v2.body.id)).body;
    expect(v3).toMatchObject({ version: 3, amendsId: v2.body.id });
    expect((await get(v2.body.id)).body).toMatchObject({ amendsId: v1.id, amendedById: v3.id });
    expect((await get(v1.id)).body.items.map((i) => i.quantity)).toEqual([10, null]);

    // Two doctors amending the same version at once: one wins.
    await finalize(v3.id);
    const otherDoctor = await addDoctor(org, [clinic]);
    const race = await Promise.all([amend(v3.id), amend(v3.id, otherDoctor.token)]);
    expect(race.map((r) => r.status).sort()).toEqual([201, 409]);
    const winner = race.find((r) => r.status === 201)?.body;
    expect(winner).toMatchObject({ version: 4, amendsId: v3.id });
    expect([doctor.doctorId, otherDoctor.doctorId]).toContain(winner?.doctorId);
  });

  it("keeps what an amendment carries: its reason, and the diagnosis and notes it changes", async () => {
    const v1 = (await write({ diagnosis: 'Viral fever', notes: 'Paracetamol for 3 days', items: [line(meds[0])] })).body;
    await finalize(v1.id);
    const amended = await region.client.post<Res & { amendmentReason: string | null }>(
      `/v1/prescriptions/${v1.id}/amendments`,
      { reason: 'Dose corrected after lab results', notes: 'Paracetamol for 5 days' },
      { token: doctor.token },
    );
    expect(amended.status).toBe(201);
    const carried = { amendsId: v1.id, amendmentReason: 'Dose corrected after lab results', notes: 'Paracetamol for 5 days', diagnosis: 'Viral fever' };
    expect(amended.body).toMatchObject(carried);
    expect((await get(amended.body.id)).body).toMatchObject(carried);
    expect((await get(v1.id)).body).toMatchObject({ amendmentReason: null, notes: 'Paracetamol for 3 days' });

    await finalize(amended.body.id);
    const cleared = await region.client.post<Res & { amendmentReason: string | null }>(
      `/v1/prescriptions/${amended.body.id}/amendments`,
      { diagnosis: 'Dengue', notes: null },
      { token: doctor.token },
    );
    expect(cleared.body).toMatchObject({ version: 3, amendmentReason: null, diagnosis: 'Dengue', notes: null });

    await finalize(cleared.body.id);
    for (const body of [{ reason: '' }, { reason: 'x'.repeat(1001) }, { notes: 7 }, { items: [] }]) {
      const res = await region.client.post(`/v1/prescriptions/${cleared.body.id}/amendments`, body, { token: doctor.token });
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
    }
    expect((await get(cleared.body.id)).body).toMatchObject({ amendedById: null });
  });

  it('lets doctors and admins with a profile write, staff only read', async () => {
    const asStaff = await write({ items: [line(meds[0])] }, staff.token);
    expect(asStaff).toMatchObject({ status: 403, body: { code: 'ROLE_REQUIRED' } });
    const asAdmin = await write({ items: [line(meds[0])] }, admin);
    expect(asAdmin.status).toBe(201);
    expect(asAdmin.body.doctorId).toBe(await doctorOf(org.orgId, org.admin.membershipId));
    const onBehalf = await write({ doctorId: doctor.doctorId, items: [line(meds[0])] }, admin);
    expect(onBehalf).toMatchObject({ status: 201, body: { doctorId: doctor.doctorId } });
    const otherDoctor = await addDoctor(org, [clinic]);
    expect(await write({ doctorId: otherDoctor.doctorId }, doctor.token)).toMatchObject({ status: 403, body: { code: 'ROLE_REQUIRED' } });
    // Granted the clinic, but practising only at the other one.
    const notHere = await addDoctor(org, [clinic, org.clinicIds[1]]);
    await withClient(testDb().adminUrl, (c) =>
      c.query('delete from doctor_clinics where organization_id = $1 and doctor_id = $2 and clinic_id = $3', [org.orgId, notHere.doctorId, clinic]),
    );
    expect(await write({}, notHere.token)).toMatchObject({ status: 409, body: { code: 'DOCTOR_NOT_AT_CLINIC' } });

    expect((await get(asAdmin.body.id, staff.token)).status).toBe(200);
    expect((await list(`patientId=${patient}`, staff.token)).status).toBe(200);
    for (const res of await Promise.all([
      region.client.patch(`/v1/prescriptions/${asAdmin.body.id}`, { notes: 'x' }, { token: staff.token }),
      finalize(asAdmin.body.id, staff.token),
      amend(asAdmin.body.id, staff.token),
      region.client.delete(`/v1/prescriptions/${asAdmin.body.id}`, { token: staff.token }),
    ])) {
      expect(res.status).toBe(403);
    }
  });

  it('hides a prescription in a clinic the caller may not access (404)', async () => {
    const second = org.clinicIds[1];
    const adminDoctor = await doctorOf(org.orgId, org.admin.membershipId);
    await practiseAt(org.orgId, adminDoctor, second);
    const there = await write({ clinicId: second, items: [line(meds[0])] }, admin);
    expect(there.status).toBe(201);
    expect((await get(there.body.id, staff.token)).status).toBe(404);
    expect((await list(`clinicId=${second}`, staff.token)).status).toBe(404);
    expect((await list(`patientId=${patient}&limit=100`, staff.token)).body.items.some((x) => x.id === there.body.id)).toBe(false);
    const otherDoctor = await addDoctor(org, [clinic]);
    expect(await write({ clinicId: second }, otherDoctor.token)).toMatchObject({ status: 404, body: { code: 'CLINIC_NOT_FOUND' } });
  });

  it("answers 404 for another org's medicine, patient, doctor, appointment or prescription", async () => {
    const theirMedicine = await orgMedicine(other.orgId, 'Their Tonic');
    const ourMedicine = await orgMedicine(org.orgId, 'Our Tonic');
    const theirPatient = await createPatient(region, other.admin.token);
    const theirDoctor = await doctorOf(other.orgId, other.admin.membershipId);
    const theirAppointment = await region.client.post<{ id: string }>(
      '/v1/appointments',
      { clinicId: other.clinicIds[0], patientId: theirPatient, doctorId: theirDoctor, startsAt: '2032-03-01T09:00:00Z', durationMinutes: 15 },
      { token: other.admin.token },
    );
    expect(theirAppointment.status).toBe(201);
    const theirs = await region.client.post<Res>(
      '/v1/prescriptions',
      { clinicId: other.clinicIds[0], patientId: theirPatient, items: [line(meds[0])] },
      { token: other.admin.token },
    );
    expect(theirs.status).toBe(201);

    expect(await write({ items: [line(meds[0]), { ...line(meds[0]), medicineId: theirMedicine.id }] })).toMatchObject({
      status: 404,
      body: { code: 'MEDICINE_NOT_FOUND' },
    });
    expect(await write({ patientId: theirPatient })).toMatchObject({ status: 404, body: { code: 'PATIENT_NOT_FOUND' } });
    expect(await write({ clinicId: other.clinicIds[0] })).toMatchObject({ status: 404, body: { code: 'CLINIC_NOT_FOUND' } });
    expect(await write({ doctorId: theirDoctor }, admin)).toMatchObject({ status: 404, body: { code: 'DOCTOR_NOT_FOUND' } });
    expect(await write({ appointmentId: theirAppointment.body.id })).toMatchObject({ status: 404, body: { code: 'APPOINTMENT_NOT_FOUND' } });
    expect((await get(theirs.body.id)).status).toBe(404);
    expect((await amend(theirs.body.id)).status).toBe(404);

    const draft = (await write({ items: [line(meds[0])] })).body;
    const swap = await region.client.patch<Res>(`/v1/prescriptions/${draft.id}`, { items: [{ ...line(meds[0]), medicineId: theirMedicine.id }] }, { token: doctor.token });
    expect(swap).toMatchObject({ status: 404, body: { code: 'MEDICINE_NOT_FOUND' } });
    expect((await get(draft.id)).body.items.map((i) => i.medicineId)).toEqual([meds[0].id]);

    const own = await write({ items: [line(ourMedicine)] });
    expect(own).toMatchObject({ status: 201, body: { items: [expect.objectContaining({ medicineName: 'Our Tonic' })] } });
    const count = await withClient(testDb().adminUrl, (c) =>
      c.query('select count(*)::int as n from prescription_items where medicine_id = $1', [theirMedicine.id]),
    );
    expect(count.rows[0].n).toBe(0);

    // The database holds the line too: a medicine of another org cannot be named by SQL.
    await withClient(testDb().appUrl, async (c) => {
      await c.query('begin');
      await c.query("select set_config('app.org_id', $1, true), set_config('app.clinic_ids', '*', true)", [org.orgId]);
      await expect(
        c.query(
          `insert into prescription_items (organization_id, clinic_id, prescription_id, position, medicine_id, medicine_name, dosage, frequency, duration)
           values ($1, $2, $3, 5, $4, 'x', '1', '1', '1')`,
          [org.orgId, clinic, draft.id, theirMedicine.id],
        ),
      ).rejects.toMatchObject({ code: '23503', constraint: 'prescription_items_medicine_in_scope' });
      await c.query('rollback');
    });
  });

  it('refuses an inactive medicine (409) and bad input (400), writing nothing', async () => {
    const retired = await orgMedicine(org.orgId, 'Retired Syrup');
    await withClient(testDb().adminUrl, (c) => c.query('update medicines set is_active = false where id = $1', [retired.id]));
    expect(await write({ items: [line(retired)] })).toMatchObject({ status: 409, body: { code: 'MEDICINE_INACTIVE' } });
    const bad = [
      { items: [{ ...line(meds[0]), dosage: '' }] },
      { items: [{ ...line(meds[0]), quantity: 0 }] },
      { items: [{ ...line(meds[0]), medicineId: 'x' }] },
      { items: [{ ...line(meds[0]), extra: true }] },
      { items: Array.from({ length: 51 }, () => line(meds[0])) },
      { diagnosis: 'x'.repeat(2001) },
      { shortKeys: ['has space'] },
    ];
    for (const body of bad) {
      const res = await write(body);
      expect({ body: JSON.stringify(body).slice(0, 60), status: res.status }).toEqual({ body: JSON.stringify(body).slice(0, 60), status: 400 });
    }
    const walkIn = await region.client.post<Res>('/v1/prescriptions', { clinicId: clinic, items: [line(meds[0])] }, { token: doctor.token });
    expect(walkIn.status).toBe(400);
    const rows = await withClient(testDb().adminUrl, (c) =>
      c.query('select count(*)::int as n from prescription_items where medicine_id = $1', [retired.id]),
    );
    expect(rows.rows[0].n).toBe(0);
  });

  it('lists by patient, clinic, doctor, status and day, newest first, with paging', async () => {
    const p = await createPatient(region, admin);
    const other1 = await addDoctor(org, [clinic]);
    const ids: string[] = [];
    for (const [token, n] of [
      [doctor.token, 1],
      [other1.token, 2],
      [doctor.token, 3],
    ] as const) {
      const res = await write({ patientId: p, items: Array.from({ length: n }, () => line(meds[0])) }, token);
      ids.push(res.body.id);
    }
    await finalize(ids[0]);
    const newestFirst = [...ids].reverse();
    const idsOf = (res: { body: Page<PrescriptionView> }) => res.body.items.map((x) => x.id);
    expect(idsOf(await list(`patientId=${p}`))).toEqual(newestFirst);
    expect((await list(`patientId=${p}`)).body.items.map((x) => x.items.length)).toEqual([3, 2, 1]);
    expect(idsOf(await list(`patientId=${p}&doctorId=${doctor.doctorId}`))).toEqual([ids[2], ids[0]]);
    expect(idsOf(await list(`patientId=${p}&status=final`))).toEqual([ids[0]]);
    expect(idsOf(await list(`clinicId=${clinic}&patientId=${p}&status=draft`))).toEqual([ids[2], ids[1]]);
    const page = await list(`patientId=${p}&limit=2`);
    expect(page.body).toMatchObject({ limit: 2, offset: 0, hasMore: true });
    expect(idsOf(await list(`patientId=${p}&limit=2&offset=2`))).toEqual([ids[0]]);

    // The day they were written, in the clinic's zone, holds them; the day before and the day after hold none.
    const zone = await withClient(testDb().adminUrl, async (c) =>
      (await c.query('select timezone from clinics where organization_id = $1 and id = $2', [org.orgId, clinic])).rows[0].timezone as string,
    );
    const days = await withClient(testDb().adminUrl, async (c) =>
      (await c.query<{ d: string }>(`select distinct to_char(created_at at time zone $2, 'YYYY-MM-DD') as d from prescriptions where id = any($1::uuid[])`, [ids, zone])).rows,
    );
    expect(days).toHaveLength(1);
    const writtenOn = days[0].d;
    const shift = (n: number) => new Date(Date.parse(`${writtenOn}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
    expect(idsOf(await list(`date=${writtenOn}&clinicId=${clinic}&patientId=${p}`))).toEqual(newestFirst);
    expect(idsOf(await list(`date=${writtenOn}&patientId=${p}`))).toEqual(newestFirst);
    expect(idsOf(await list(`date=${shift(-1)}&patientId=${p}`))).toEqual([]);
    expect(idsOf(await list(`date=${shift(1)}&clinicId=${clinic}&patientId=${p}`))).toEqual([]);
    expect((await list(`date=${writtenOn}`)).status).toBe(400);
    expect((await list('status=void')).status).toBe(400);
  });

  it('writes an audit event for every read and write, with identifiers and counts only', async () => {
    await shortKey('AUDIT', [meds[1]]);
    const rx = (await write({ diagnosis: 'Confidential diagnosis', items: [line(meds[0])] })).body;
    await get(rx.id);
    await region.client.patch(`/v1/prescriptions/${rx.id}`, { notes: 'Confidential note' }, { token: doctor.token });
    await region.client.post(`/v1/prescriptions/${rx.id}/short-keys`, { code: 'AUDIT' }, { token: doctor.token });
    await finalize(rx.id);
    const v2 = (await amend(rx.id)).body;
    await region.client.delete(`/v1/prescriptions/${v2.id}`, { token: doctor.token });
    await list(`patientId=${patient}&limit=100`);
    const events = await withClient(testDb().adminUrl, (c) =>
      c.query<{ action: string; resource_id: string | null; clinic_id: string | null; details: Record<string, unknown>; actor_user_id: string; request_id: string | null }>(
        `select action, resource_id, clinic_id, details, actor_user_id, request_id from audit_events
          where organization_id = $1 and resource_type = 'prescription'
            and (resource_id = any($2::uuid[]) or (action = 'prescription.list' and details -> 'ids' ? $3::text))
          order by occurred_at`,
        [org.orgId, [rx.id, v2.id], rx.id],
      ),
    );
    expect(events.rows.map((e) => e.action)).toEqual([
      'prescription.create',
      'prescription.read',
      'prescription.update',
      'prescription.short_key.apply',
      'prescription.finalize',
      'prescription.amend',
      'prescription.delete',
      'prescription.list',
    ]);
    expect(events.rows.every((e) => e.clinic_id === clinic || e.action === 'prescription.list')).toBe(true);
    expect(events.rows.every((e) => e.request_id && (e.actor_user_id === doctor.userId || e.actor_user_id === org.admin.userId))).toBe(true);
    expect(events.rows[0]).toMatchObject({
      resource_id: rx.id,
      actor_user_id: doctor.userId,
      details: { patientId: patient, appointmentId: null, items: 1, shortKeyIds: [] },
    });
    expect(JSON.stringify(events.rows).toLowerCase()).not.toContain('confidential');
  });

  it('refuses to delete a patient who has a prescription (409 PATIENT_HAS_RECORDS)', async () => {
    const p = await createPatient(region, admin);
    expect((await write({ patientId: p, items: [line(meds[0])] })).status).toBe(201);
    expect(await region.client.delete<ErrorBody>(`/v1/patients/${p}`, { token: admin })).toMatchObject({
      status: 409,
      body: { code: 'PATIENT_HAS_RECORDS' },
    });
  });
});
