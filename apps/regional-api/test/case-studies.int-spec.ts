import { TestMember, TestOrg } from '@medgenie/testing';
import { CaseStudyView } from '../src/case-studies/case-studies.service';
import { withClient } from './db';
import { auditActions, createPatient } from './dental-support';
import { TINY_PNG } from './isolation/dental.cases';
import { startTestRegion, testDb, TestRegion } from './support';

describe('case studies', () => {
  let region: TestRegion;
  let org: TestOrg;
  let other: TestOrg;
  let staff: TestMember;
  let otherClinicDoctor: TestMember;
  let patient: string;
  let sibling: string;
  let clinic: string;
  /** One observation, procedure and attachment each, for `patient`, `sibling` and the other org's patient. */
  const records: Record<'patient' | 'sibling' | 'foreign', { observation: string; procedure: string; attachment: string }> = {} as never;

  async function seed(o: TestOrg, patientId: string, clinicId: string) {
    const token = o.admin.token;
    const observation = await region.client.post<{ id: string }>('/v1/dental/observations', { patientId, clinicId, tooth: 46, condition: 'caries' }, { token });
    const procedure = await region.client.post<{ id: string }>(
      '/v1/dental/procedures',
      { patientId, clinicId, code: 'D2391', description: 'Composite', observationId: observation.body.id },
      { token },
    );
    const attachment = await region.client.request<{ id: string }>('POST', `/v1/dental/attachments?patientId=${patientId}&clinicId=${clinicId}&kind=xray`, {
      token,
      payload: TINY_PNG,
      headers: { 'content-type': 'image/png' },
    });
    expect([observation.status, procedure.status, attachment.status]).toEqual([201, 201, 201]);
    return { observation: observation.body.id, procedure: procedure.body.id, attachment: attachment.body.id };
  }

  beforeAll(async () => {
    region = await startTestRegion();
    [org, other] = await Promise.all([region.createOrg({ extraClinics: 1 }), region.createOrg()]);
    clinic = org.clinicIds[0];
    [staff, otherClinicDoctor] = await Promise.all([org.addMember('staff', [clinic]), org.addMember('doctor', [org.clinicIds[1]])]);
    patient = await createPatient(region, org, 'Kavya');
    sibling = await createPatient(region, org, 'Kiran');
    const foreignPatient = await createPatient(region, other, 'Kabir');
    records.patient = await seed(org, patient, clinic);
    records.sibling = await seed(org, sibling, clinic);
    records.foreign = await seed(other, foreignPatient, other.clinicIds[0]);
  });
  afterAll(() => region?.close());

  const admin = () => ({ token: org.admin.token });
  const all = (r: { observation: string; procedure: string; attachment: string }) => ({
    observationIds: [r.observation],
    procedureIds: [r.procedure],
    attachmentIds: [r.attachment],
  });

  it('links a patient’s own observations, procedures and attachments, listed on GET', async () => {
    const created = await region.client.post<CaseStudyView>(
      '/v1/case-studies',
      { patientId: patient, clinicId: clinic, title: 'Deep caries on 46', summary: 'Composite restoration after a bitewing.', ...all(records.patient) },
      admin(),
    );
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ patientId: patient, clinicId: clinic, title: 'Deep caries on 46' });
    expect(created.body.observations.map((o) => o.id)).toEqual([records.patient.observation]);
    expect(created.body.procedures.map((o) => o.id)).toEqual([records.patient.procedure]);
    expect(created.body.attachments.map((o) => o.id)).toEqual([records.patient.attachment]);

    const read = await region.client.get<CaseStudyView>(`/v1/case-studies/${created.body.id}`, { token: staff.token });
    expect(read.status).toBe(200);
    expect(read.body.attachments[0]).toMatchObject({ id: records.patient.attachment, contentType: 'image/png' });
    expect(read.body.procedures[0]).toMatchObject({ code: 'D2391', observationId: records.patient.observation });

    const list = await region.client.get<{ items: { id: string }[] }>(`/v1/case-studies?patientId=${patient}`, { token: staff.token });
    expect(list.status).toBe(200);
    expect(list.body.items.map((c) => c.id)).toContain(created.body.id);
    expect((await region.client.get(`/v1/case-studies?patientId=${sibling}`, admin())).body).toMatchObject({ items: [] });
  });

  it('refuses (404) a link to another patient’s or another org’s record, making nothing', async () => {
    const count = () => withClient(testDb().adminUrl, async (c) => Number((await c.query('select count(*)::int as n from case_studies where organization_id = $1', [org.orgId])).rows[0].n));
    const before = await count();
    for (const [key, code] of [
      ['observation', 'DENTAL_OBSERVATION_NOT_FOUND'],
      ['procedure', 'DENTAL_PROCEDURE_NOT_FOUND'],
      ['attachment', 'ATTACHMENT_NOT_FOUND'],
    ] as const) {
      for (const owner of ['sibling', 'foreign'] as const) {
        const res = await region.client.post<{ code: string }>(
          '/v1/case-studies',
          { patientId: patient, clinicId: clinic, title: 'Mixed', [`${key}Ids`]: [records[owner][key]] },
          admin(),
        );
        expect({ key, owner, status: res.status, code: res.body.code }).toEqual({ key, owner, status: 404, code });
      }
    }
    expect(await count()).toBe(before);
    // The database holds the line too: a link row for another patient's record is refused.
    const study = await region.client.post<CaseStudyView>('/v1/case-studies', { patientId: patient, clinicId: clinic, title: 'DB check' }, admin());
    await withClient(testDb().adminUrl, async (c) => {
      await expect(
        c.query(
          `insert into case_study_attachments (organization_id, case_study_id, attachment_id, clinic_id, patient_id, position) values ($1, $2, $3, $4, $5, 0)`,
          [org.orgId, study.body.id, records.sibling.attachment, clinic, patient],
        ),
      ).rejects.toMatchObject({ code: '23503' });
    });
  });

  it('replaces links and edits on PATCH; validates; only clinicians write; deleting keeps the records', async () => {
    const study = (await region.client.post<CaseStudyView>('/v1/case-studies', { patientId: patient, clinicId: clinic, title: 'Plan', ...all(records.patient) }, admin())).body;
    const patched = await region.client.patch<CaseStudyView>(`/v1/case-studies/${study.id}`, { title: 'Plan (revised)', attachmentIds: [] }, { token: org.admin.token });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ title: 'Plan (revised)', attachments: [] });
    expect(patched.body.observations).toHaveLength(1);
    const hijack = await region.client.patch<{ code: string }>(`/v1/case-studies/${study.id}`, { attachmentIds: [records.foreign.attachment] }, admin());
    expect(hijack.status).toBe(404);
    expect((await region.client.get<CaseStudyView>(`/v1/case-studies/${study.id}`, admin())).body.attachments).toEqual([]);

    for (const body of [
      { title: '' },
      { title: null },
      { observationIds: ['not-a-uuid'] },
      { observationIds: [records.patient.observation, records.patient.observation] },
      { patientId: sibling },
      { summary: 'x'.repeat(20_001) },
    ]) {
      expect({ body, status: (await region.client.patch(`/v1/case-studies/${study.id}`, body, admin())).status }).toEqual({ body, status: 400 });
    }
    expect((await region.client.post('/v1/case-studies', { patientId: patient, clinicId: clinic, title: 'By staff' }, { token: staff.token })).status).toBe(403);
    expect((await region.client.patch(`/v1/case-studies/${study.id}`, { title: 'By staff' }, { token: staff.token })).status).toBe(403);
    expect((await region.client.get(`/v1/case-studies/${study.id}`, { token: otherClinicDoctor.token })).status).toBe(404);
    const wrongClinic = await region.client.post<{ code: string }>('/v1/case-studies', { patientId: patient, clinicId: clinic, title: 'Elsewhere' }, { token: otherClinicDoctor.token });
    expect(wrongClinic.body.code).toBe('CLINIC_NOT_FOUND');

    expect((await region.client.delete(`/v1/case-studies/${study.id}`, admin())).status).toBe(204);
    expect((await region.client.get(`/v1/case-studies/${study.id}`, admin())).status).toBe(404);
    expect((await region.client.get(`/v1/dental/observations/${records.patient.observation}`, admin())).status).toBe(200);
  });

  it('drops the link when a linked record is deleted', async () => {
    const extra = await region.client.post<{ id: string }>('/v1/dental/observations', { patientId: patient, clinicId: clinic, tooth: 11, condition: 'fracture' }, admin());
    const study = (await region.client.post<CaseStudyView>('/v1/case-studies', { patientId: patient, clinicId: clinic, title: 'Trauma', observationIds: [extra.body.id] }, admin())).body;
    expect(study.observations).toHaveLength(1);
    expect((await region.client.delete(`/v1/dental/observations/${extra.body.id}`, admin())).status).toBe(204);
    expect((await region.client.get<CaseStudyView>(`/v1/case-studies/${study.id}`, admin())).body.observations).toEqual([]);
  });

  it('audits every read and write with identifiers and counts only', async () => {
    const events = await auditActions(org.orgId, 'case_study');
    expect(new Set(events.map((e) => e.action))).toEqual(new Set(['case_study.create', 'case_study.read', 'case_study.list', 'case_study.update', 'case_study.delete']));
    expect(events.find((e) => e.action === 'case_study.create')?.details).toMatchObject({ patientId: patient, observations: 1, procedures: 1, attachments: 1 });
    const text = JSON.stringify(events);
    for (const phi of ['caries', 'Composite', 'Plan', 'Trauma', 'Kavya']) expect(text).not.toContain(phi);
  });
});
