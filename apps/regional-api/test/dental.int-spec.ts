import { TestMember, TestOrg } from '@medgenie/testing';
import { Page } from '../src/common/page';
import { ObservationView } from '../src/dental/observations.service';
import { ProcedureView } from '../src/dental/procedures.service';
import { withClient } from './db';
import { auditActions, createPatient, doctorOf } from './dental-support';
import { startTestRegion, testDb, TestRegion } from './support';

describe('dental records', () => {
  let region: TestRegion;
  let org: TestOrg;
  let staff: TestMember;
  let otherClinicStaff: TestMember;
  let doctor: TestMember;
  let patient: string;
  let otherPatient: string;
  let clinic: string;

  beforeAll(async () => {
    region = await startTestRegion();
    org = await region.createOrg({ extraClinics: 1 });
    clinic = org.clinicIds[0];
    [staff, otherClinicStaff, doctor] = await Promise.all([
      org.addMember('staff', [clinic]),
      org.addMember('staff', [org.clinicIds[1]]),
      org.addMember('doctor', [clinic]),
    ]);
    [patient, otherPatient] = [await createPatient(region, org, 'Tara'), await createPatient(region, org, 'Uma')];
  });
  afterAll(() => region?.close());

  const admin = () => ({ token: org.admin.token });

  describe('observation templates', () => {
    it('org admins and doctors write them, every member reads them, names are unique per org', async () => {
      const created = await region.client.post<{ id: string; name: string; condition: string }>(
        '/v1/dental/templates',
        { name: 'Occlusal caries', surface: 'occlusal', condition: 'caries', severity: 'moderate', notesTemplate: 'Caries on the occlusal surface.' },
        admin(),
      );
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name: 'Occlusal caries', condition: 'caries' });

      const byDoctor = await region.client.post('/v1/dental/templates', { name: 'Fractured cusp', condition: 'fracture' }, { token: doctor.token });
      expect(byDoctor.status).toBe(201);
      expect((await region.client.post('/v1/dental/templates', { name: 'By staff' }, { token: staff.token })).status).toBe(403);
      const dup = await region.client.post<{ code: string }>('/v1/dental/templates', { name: 'OCCLUSAL CARIES' }, admin());
      expect(dup.status).toBe(409);
      expect(dup.body.code).toBe('DENTAL_TEMPLATE_EXISTS');

      const list = await region.client.get<{ id: string }[]>('/v1/dental/templates', { token: staff.token });
      expect(list.status).toBe(200);
      expect(list.body.map((t) => t.id)).toContain(created.body.id);
      expect((await region.client.get(`/v1/dental/templates/${created.body.id}`, { token: staff.token })).status).toBe(200);

      const renamed = await region.client.patch<{ name: string; severity: string | null }>(
        `/v1/dental/templates/${created.body.id}`,
        { name: 'Occlusal caries (deep)', severity: null },
        { token: doctor.token },
      );
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({ name: 'Occlusal caries (deep)', severity: null });
      expect((await region.client.patch(`/v1/dental/templates/${created.body.id}`, { condition: 'rotten' }, admin())).status).toBe(400);
    });
  });

  describe('observations', () => {
    it('records a finding on an FDI tooth, filled in from a template, by the caller as doctor', async () => {
      const template = await region.client.post<{ id: string }>(
        '/v1/dental/templates',
        { name: 'Mesial caries', surface: 'mesial', condition: 'caries', severity: 'mild', notesTemplate: 'Early lesion.' },
        admin(),
      );
      const res = await region.client.post<ObservationView>(
        '/v1/dental/observations',
        { patientId: patient, clinicId: clinic, templateId: template.body.id, tooth: 36, severity: 'severe' },
        { token: doctor.token },
      );
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        patientId: patient,
        clinicId: clinic,
        templateId: template.body.id,
        tooth: 36,
        surface: 'mesial',
        condition: 'caries',
        severity: 'severe',
        notes: 'Early lesion.',
        doctorId: await doctorOf(org.orgId, doctor.membershipId),
      });

      // Deleting the template keeps the observation's values and clears its link.
      expect((await region.client.delete(`/v1/dental/templates/${template.body.id}`, admin())).status).toBe(204);
      const after = await region.client.get<ObservationView>(`/v1/dental/observations/${res.body.id}`, admin());
      expect(after.body).toMatchObject({ templateId: null, condition: 'caries', notes: 'Early lesion.' });
      expect((await region.client.get(`/v1/dental/templates/${template.body.id}`, admin())).status).toBe(404);
    });

    it('accepts permanent and primary teeth and refuses any other number (400), in the database too', async () => {
      for (const tooth of [11, 18, 28, 31, 48, 51, 55, 65, 71, 85]) {
        const res = await region.client.post('/v1/dental/observations', { patientId: patient, clinicId: clinic, tooth, condition: 'missing' }, admin());
        expect({ tooth, status: res.status }).toEqual({ tooth, status: 201 });
      }
      for (const tooth of [0, 9, 10, 19, 20, 49, 50, 56, 60, 66, 86, 91, 99, 110, 36.5, '36', -11]) {
        const res = await region.client.post<{ message: string }>('/v1/dental/observations', { patientId: patient, clinicId: clinic, tooth, condition: 'caries' }, admin());
        expect({ tooth, status: res.status }).toEqual({ tooth, status: 400 });
      }
      const bad = await region.client.post<{ message: string }>('/v1/dental/observations', { patientId: patient, clinicId: clinic, tooth: 19, condition: 'caries' }, admin());
      expect(bad.body.message).toMatch(/FDI/);
      await withClient(testDb().adminUrl, async (c) => {
        await expect(
          c.query(`insert into dental_observations (organization_id, clinic_id, patient_id, tooth, condition) values ($1, $2, $3, 19, 'caries')`, [org.orgId, clinic, patient]),
        ).rejects.toMatchObject({ code: '23514', constraint: 'dental_observations_fdi_tooth' });
      });
    });

    it('refuses a bad surface, condition, severity or a missing condition', async () => {
      const base = { patientId: patient, clinicId: clinic, tooth: 21 };
      for (const body of [
        { ...base },
        { ...base, condition: 'rotten' },
        { ...base, condition: 'caries', surface: 'top' },
        { ...base, condition: 'caries', severity: 'extreme' },
        { ...base, condition: 'caries', notes: 'x'.repeat(4001) },
        { ...base, condition: 'caries', observedAt: 'yesterday' },
        { ...base, condition: 'caries', extra: 1 },
      ]) {
        expect((await region.client.post('/v1/dental/observations', body, admin())).status).toBe(400);
      }
    });

    it('lists a patient’s chart, by tooth, and corrects and deletes findings', async () => {
      const make = (tooth: number, condition: string) =>
        region.client.post<ObservationView>('/v1/dental/observations', { patientId: otherPatient, clinicId: clinic, tooth, condition }, admin());
      const [a, b] = [await make(14, 'caries'), await make(14, 'filled')];
      await make(46, 'crown');
      const all = await region.client.get<Page<ObservationView>>(`/v1/dental/observations?patientId=${otherPatient}`, { token: staff.token });
      expect(all.status).toBe(200);
      expect(all.body.items).toHaveLength(3);
      const tooth14 = await region.client.get<Page<ObservationView>>(`/v1/dental/observations?patientId=${otherPatient}&tooth=14`, admin());
      expect(tooth14.body.items.map((o) => o.id).sort()).toEqual([a.body.id, b.body.id].sort());
      expect((await region.client.get(`/v1/dental/observations?patientId=${otherPatient}&tooth=19`, admin())).status).toBe(400);
      expect((await region.client.get('/v1/dental/observations', admin())).status).toBe(400);

      const patched = await region.client.patch<ObservationView>(`/v1/dental/observations/${a.body.id}`, { surface: 'distal', severity: 'mild', tooth: 15 }, admin());
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ surface: 'distal', severity: 'mild', tooth: 15, condition: 'caries' });
      expect((await region.client.patch(`/v1/dental/observations/${a.body.id}`, { tooth: 59 }, admin())).status).toBe(400);
      expect((await region.client.patch(`/v1/dental/observations/${a.body.id}`, { patientId: patient }, admin())).status).toBe(400);
      expect((await region.client.delete(`/v1/dental/observations/${b.body.id}`, { token: staff.token })).status).toBe(403);
      expect((await region.client.delete(`/v1/dental/observations/${b.body.id}`, admin())).status).toBe(204);
      expect((await region.client.get(`/v1/dental/observations/${b.body.id}`, admin())).status).toBe(404);
    });

    it('is clinic-scoped: staff of another clinic neither see nor write there (404), staff never write', async () => {
      const obs = await region.client.post<ObservationView>('/v1/dental/observations', { patientId: patient, clinicId: clinic, tooth: 11, condition: 'fracture' }, admin());
      expect((await region.client.get(`/v1/dental/observations/${obs.body.id}`, { token: otherClinicStaff.token })).status).toBe(404);
      const list = await region.client.get<Page<ObservationView>>(`/v1/dental/observations?patientId=${patient}`, { token: otherClinicStaff.token });
      expect(list.status).toBe(200);
      expect(list.body.items).toEqual([]);
      expect((await region.client.get(`/v1/dental/observations/${obs.body.id}`, { token: staff.token })).status).toBe(200);
      expect((await region.client.post('/v1/dental/observations', { patientId: patient, clinicId: clinic, tooth: 11, condition: 'caries' }, { token: staff.token })).status).toBe(403);

      const otherClinicDoctor = await org.addMember('doctor', [org.clinicIds[1]]);
      const refused = await region.client.post<{ code: string }>(
        '/v1/dental/observations',
        { patientId: patient, clinicId: clinic, tooth: 11, condition: 'caries' },
        { token: otherClinicDoctor.token },
      );
      expect(refused.status).toBe(404);
      expect(refused.body.code).toBe('CLINIC_NOT_FOUND');
    });

    it('answers 404 for an unknown patient, clinic, doctor or template', async () => {
      const unknown = '00000000-0000-4000-8000-000000000000';
      const base = { patientId: patient, clinicId: clinic, tooth: 22, condition: 'caries' };
      for (const [body, code] of [
        [{ ...base, patientId: unknown }, 'PATIENT_NOT_FOUND'],
        [{ ...base, clinicId: unknown }, 'CLINIC_NOT_FOUND'],
        [{ ...base, doctorId: unknown }, 'DOCTOR_NOT_FOUND'],
        [{ ...base, templateId: unknown }, 'DENTAL_TEMPLATE_NOT_FOUND'],
      ] as const) {
        const res = await region.client.post<{ code: string }>('/v1/dental/observations', body, admin());
        expect({ status: res.status, code: res.body.code }).toEqual({ status: 404, code });
      }
    });
  });

  describe('procedures', () => {
    const create = (body: Record<string, unknown>, token = org.admin.token) =>
      region.client.post<ProcedureView & { code: string }>('/v1/dental/procedures', { patientId: patient, clinicId: clinic, description: 'Resin composite, two surfaces, posterior', ...body }, { token });

    it('records a coded procedure in the region’s currency, and validates code, tooth and cost', async () => {
      const res = await create({ code: ' d2392 ', tooth: 36, surface: 'occlusal', cost: 1500.5 });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ code: 'D2392', tooth: 36, status: 'planned', cost: 1500.5, currency: 'INR', performedAt: null });
      const wholeMouth = await create({ code: 'D1110', description: 'Prophylaxis, adult' });
      expect(wholeMouth.status).toBe(201);
      expect(wholeMouth.body).toMatchObject({ tooth: null, cost: 0 });
      const local = await create({ code: 'LOC-12.3' });
      expect(local.status).toBe(201);

      for (const body of [
        { code: 'D 2392' },
        { code: 'x' },
        { code: 'D2392!' },
        { code: 'A'.repeat(21) },
        { code: 'D2392', tooth: 19 },
        { code: 'D2392', cost: -1 },
        { code: 'D2392', cost: 10.005 },
        { code: 'D2392', cost: '100' },
        { code: 'D2392', status: 'cancelled' },
        { code: 'D2392', currency: 'USD' },
        { code: 'D2392', description: '' },
      ]) {
        expect({ body, status: (await create(body)).status }).toEqual({ body, status: 400 });
      }
      expect((await create({ code: 'D2392' }, staff.token)).status).toBe(403);
      expect((await create({ code: 'D2392' }, doctor.token)).status).toBe(201);
    });

    it('moves planned -> in_progress -> completed and no further; completed is closed but for notes', async () => {
      const p = (await create({ code: 'D3310', tooth: 11, cost: 8000 })).body;
      const step = (body: Record<string, unknown>) => region.client.patch<ProcedureView & { code: string }>(`/v1/dental/procedures/${p.id}`, body, admin());
      expect((await step({ status: 'in_progress' })).body.status).toBe('in_progress');
      const back = await step({ status: 'planned' });
      expect(back.status).toBe(409);
      expect(back.body.code).toBe('INVALID_STATUS_TRANSITION');
      const done = await step({ status: 'completed' });
      expect(done.status).toBe(200);
      expect(done.body.status).toBe('completed');
      expect(done.body.performedAt).not.toBeNull();
      for (const body of [{ status: 'cancelled' }, { status: 'in_progress' }]) {
        expect((await step(body)).status).toBe(409);
      }
      const closed = await step({ cost: 1 });
      expect(closed.status).toBe(409);
      expect(closed.body.code).toBe('DENTAL_PROCEDURE_CLOSED');
      expect((await step({ notes: 'Review in six months.' })).body.notes).toBe('Review in six months.');
      expect((await region.client.delete(`/v1/dental/procedures/${p.id}`, admin())).status).toBe(409);
    });

    it('cancels a planned procedure (final), records a completed one with its date, deletes only planned or cancelled ones', async () => {
      const planned = (await create({ code: 'D7140' })).body;
      expect((await region.client.patch(`/v1/dental/procedures/${planned.id}`, { status: 'cancelled' }, admin())).body).toMatchObject({ status: 'cancelled' });
      expect((await region.client.patch(`/v1/dental/procedures/${planned.id}`, { status: 'in_progress' }, admin())).status).toBe(409);
      expect((await region.client.delete(`/v1/dental/procedures/${planned.id}`, admin())).status).toBe(204);

      const done = await create({ code: 'D0220', status: 'completed', performedAt: '2025-01-02T10:00:00.000Z' });
      expect(done.body).toMatchObject({ status: 'completed', performedAt: '2025-01-02T10:00:00.000Z' });
      const started = (await create({ code: 'D0230', status: 'in_progress' })).body;
      expect((await region.client.delete(`/v1/dental/procedures/${started.id}`, admin())).status).toBe(409);
      expect((await region.client.patch(`/v1/dental/procedures/${started.id}`, { status: 'completed', performedAt: null }, admin())).status).toBe(400);
      await withClient(testDb().adminUrl, async (c) => {
        await expect(c.query(`update dental_procedures set status = 'completed', performed_at = null where id = $1`, [started.id])).rejects.toMatchObject({
          constraint: 'dental_procedures_completed_has_time',
        });
      });
    });

    it('links the observation it treats, of the same patient only', async () => {
      const obs = (await region.client.post<ObservationView>('/v1/dental/observations', { patientId: patient, clinicId: clinic, tooth: 26, condition: 'caries' }, admin())).body;
      const other = (await region.client.post<ObservationView>('/v1/dental/observations', { patientId: otherPatient, clinicId: clinic, tooth: 26, condition: 'caries' }, admin())).body;
      const linked = await create({ code: 'D2140', tooth: 26, observationId: obs.id });
      expect(linked.status).toBe(201);
      expect(linked.body.observationId).toBe(obs.id);
      const wrong = await create({ code: 'D2140', observationId: other.id });
      expect(wrong.status).toBe(404);
      expect(wrong.body.code).toBe('DENTAL_OBSERVATION_NOT_FOUND');
      expect((await region.client.patch(`/v1/dental/procedures/${linked.body.id}`, { observationId: other.id }, admin())).status).toBe(404);
      // And in the database: the link is a foreign key on (org, patient, observation).
      await withClient(testDb().adminUrl, async (c) => {
        await expect(c.query('update dental_procedures set observation_id = $1 where id = $2', [other.id, linked.body.id])).rejects.toMatchObject({ code: '23503' });
      });

      const list = await region.client.get<Page<ProcedureView>>(`/v1/dental/procedures?patientId=${patient}&status=planned`, { token: staff.token });
      expect(list.status).toBe(200);
      expect(list.body.items.map((p) => p.id)).toContain(linked.body.id);
      expect(list.body.items.every((p) => p.status === 'planned')).toBe(true);
      expect((await region.client.get(`/v1/dental/procedures/${linked.body.id}`, { token: staff.token })).status).toBe(200);
      expect((await region.client.get(`/v1/dental/procedures/${linked.body.id}`, { token: otherClinicStaff.token })).status).toBe(404);
    });
  });

  it('audits every read and write with identifiers and counts only', async () => {
    const obs = (await region.client.post<ObservationView>(
      '/v1/dental/observations',
      { patientId: otherPatient, clinicId: clinic, tooth: 47, condition: 'abscess', notes: 'Swelling, tender to percussion' },
      admin(),
    )).body;
    await region.client.get(`/v1/dental/observations/${obs.id}`, admin());
    await region.client.get(`/v1/dental/observations?patientId=${otherPatient}&tooth=47`, admin());
    const events = (await auditActions(org.orgId, 'dental_observation')).filter((e) => e.resource_id === obs.id || e.action.endsWith('.list'));
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(['dental_observation.create', 'dental_observation.read', 'dental_observation.list']));
    const procedures = await auditActions(org.orgId, 'dental_procedure');
    expect(new Set(procedures.map((e) => e.action))).toEqual(
      new Set(['dental_procedure.create', 'dental_procedure.update', 'dental_procedure.delete', 'dental_procedure.list', 'dental_procedure.read']),
    );
    const templates = await auditActions(org.orgId, 'dental_template');
    expect(new Set(templates.map((e) => e.action))).toEqual(
      new Set(['dental_template.create', 'dental_template.list', 'dental_template.read', 'dental_template.update', 'dental_template.delete']),
    );
    const text = JSON.stringify([...events, ...procedures, ...templates]);
    for (const phi of ['Swelling', 'percussion', 'Resin', 'Occlusal', 'Tara', 'Uma']) expect(text).not.toContain(phi);
  });
});
