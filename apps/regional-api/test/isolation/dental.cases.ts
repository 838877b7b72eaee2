import { CaseSet, ClinicContext, IsolationContext } from './matrix';

/** A valid PNG header and a little padding: enough for the upload's content check. */
export const TINY_PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(200, 0x42)]);

/**
 * Dental records and case studies. Each org gets a template, and in its clinic (A's second
 * clinic, the one its staff member works in) an observation, a procedure, an attachment and a
 * case study linking the three, all of its first patient.
 */
const dental: CaseSet = {
  async seed({ region, a, b, ids }: IsolationContext) {
    const out: { a: Record<string, string>; b: Record<string, string> } = { a: {}, b: {} };
    for (const [org, key] of [
      [a, 'a'],
      [b, 'b'],
    ] as const) {
      const token = org.admin.token;
      const { patient, clinic } = ids[key];
      const post = async (url: string, body: unknown) => {
        const res = await region.client.post<{ id: string }>(url, body, { token });
        if (res.status !== 201) throw new Error(`seeding ${url} answered ${res.status}: ${JSON.stringify(res.body)}`);
        return res.body.id;
      };
      const dentalTemplate = await post('/v1/dental/templates', { name: 'Seed template', condition: 'caries' });
      const observation = await post('/v1/dental/observations', { patientId: patient, clinicId: clinic, tooth: 16, condition: 'caries' });
      const procedure = await post('/v1/dental/procedures', { patientId: patient, clinicId: clinic, code: 'D2391', description: 'Seed', observationId: observation });
      const upload = await region.client.request<{ id: string }>('POST', `/v1/dental/attachments?patientId=${patient}&clinicId=${clinic}&kind=xray`, {
        token,
        payload: TINY_PNG,
        headers: { 'content-type': 'image/png' },
      });
      if (upload.status !== 201) throw new Error(`seeding an attachment answered ${upload.status}: ${JSON.stringify(upload.body)}`);
      const caseStudy = await post('/v1/case-studies', {
        patientId: patient,
        clinicId: clinic,
        title: 'Seed case',
        observationIds: [observation],
        procedureIds: [procedure],
        attachmentIds: [upload.body.id],
      });
      out[key] = { dentalTemplate, observation, procedure, attachment: upload.body.id, caseStudy };
    }
    return out;
  },
  cases: {
    'POST /v1/dental/templates': { kind: 'collection', body: { name: 'B template', condition: 'fracture' } },
    'GET /v1/dental/templates': { kind: 'collection' },
    'GET /v1/dental/templates/:id': { kind: 'foreign-id', resource: 'dentalTemplate' },
    'PATCH /v1/dental/templates/:id': { kind: 'foreign-id', resource: 'dentalTemplate', body: { name: 'Hijacked' } },
    'DELETE /v1/dental/templates/:id': { kind: 'foreign-id', resource: 'dentalTemplate' },

    'POST /v1/dental/observations': [
      { kind: 'collection', body: (ids) => ({ patientId: ids.b.patient, clinicId: ids.b.clinic, tooth: 21, condition: 'filled' }) },
      // B records a finding on A's patient, in B's own clinic; or on its own patient in A's clinic; or from A's template.
      { kind: 'foreign-reference', body: (ids) => ({ patientId: ids.a.patient, clinicId: ids.b.clinic, tooth: 21, condition: 'filled' }) },
      { kind: 'foreign-reference', body: (ids) => ({ patientId: ids.b.patient, clinicId: ids.a.clinic, tooth: 21, condition: 'filled' }) },
      { kind: 'foreign-reference', body: (ids) => ({ patientId: ids.b.patient, clinicId: ids.b.clinic, tooth: 21, templateId: ids.a.dentalTemplate }) },
    ],
    'GET /v1/dental/observations': [
      { kind: 'collection', listKey: 'items', query: (ids) => ({ patientId: ids.b.patient }) },
      { kind: 'foreign-reference', query: (ids) => ({ patientId: ids.a.patient }) },
    ],
    'GET /v1/dental/observations/:id': { kind: 'foreign-id', resource: 'observation' },
    'PATCH /v1/dental/observations/:id': { kind: 'foreign-id', resource: 'observation', body: { condition: 'missing' } },
    'DELETE /v1/dental/observations/:id': { kind: 'foreign-id', resource: 'observation' },

    'POST /v1/dental/procedures': [
      { kind: 'collection', body: (ids) => ({ patientId: ids.b.patient, clinicId: ids.b.clinic, code: 'D1110', description: 'Prophylaxis' }) },
      { kind: 'foreign-reference', body: (ids) => ({ patientId: ids.a.patient, clinicId: ids.b.clinic, code: 'D1110', description: 'Prophylaxis' }) },
      // B's own patient, pointing at A's observation.
      {
        kind: 'foreign-reference',
        body: (ids) => ({ patientId: ids.b.patient, clinicId: ids.b.clinic, code: 'D1110', description: 'Prophylaxis', observationId: ids.a.observation }),
      },
    ],
    'GET /v1/dental/procedures': [
      { kind: 'collection', listKey: 'items', query: (ids) => ({ patientId: ids.b.patient }) },
      { kind: 'foreign-reference', query: (ids) => ({ patientId: ids.a.patient }) },
    ],
    'GET /v1/dental/procedures/:id': { kind: 'foreign-id', resource: 'procedure' },
    'PATCH /v1/dental/procedures/:id': [
      { kind: 'foreign-id', resource: 'procedure', body: { status: 'cancelled' } },
      // B's own procedure, linked to A's observation.
      { kind: 'foreign-reference', params: { id: 'procedure' }, body: (ids) => ({ observationId: ids.a.observation }) },
    ],
    'DELETE /v1/dental/procedures/:id': { kind: 'foreign-id', resource: 'procedure' },

    'POST /v1/dental/attachments': [
      { kind: 'collection', query: (ids) => ({ patientId: ids.b.patient, clinicId: ids.b.clinic, kind: 'photo' }), payload: TINY_PNG, contentType: 'image/png' },
      { kind: 'foreign-reference', query: (ids) => ({ patientId: ids.a.patient, clinicId: ids.b.clinic, kind: 'photo' }), payload: TINY_PNG, contentType: 'image/png' },
      { kind: 'foreign-reference', query: (ids) => ({ patientId: ids.b.patient, clinicId: ids.a.clinic, kind: 'photo' }), payload: TINY_PNG, contentType: 'image/png' },
    ],
    'GET /v1/dental/attachments': [
      { kind: 'collection', listKey: 'items', query: (ids) => ({ patientId: ids.b.patient }) },
      { kind: 'foreign-reference', query: (ids) => ({ patientId: ids.a.patient }) },
    ],
    'GET /v1/dental/attachments/:id': { kind: 'foreign-id', resource: 'attachment' },
    'GET /v1/dental/attachments/:id/download-url': { kind: 'foreign-id', resource: 'attachment' },
    'GET /v1/dental/attachments/:id/download': { kind: 'foreign-id', resource: 'attachment' },
    'DELETE /v1/dental/attachments/:id': { kind: 'foreign-id', resource: 'attachment' },

    'POST /v1/case-studies': [
      { kind: 'collection', body: (ids) => ({ patientId: ids.b.patient, clinicId: ids.b.clinic, title: 'B case', attachmentIds: [ids.b.attachment] }) },
      { kind: 'foreign-reference', body: (ids) => ({ patientId: ids.a.patient, clinicId: ids.b.clinic, title: 'Stolen' }) },
      // B's own patient and clinic, linking A's attachment, observation or procedure.
      { kind: 'foreign-reference', body: (ids) => ({ patientId: ids.b.patient, clinicId: ids.b.clinic, title: 'Stolen', attachmentIds: [ids.a.attachment] }) },
      { kind: 'foreign-reference', body: (ids) => ({ patientId: ids.b.patient, clinicId: ids.b.clinic, title: 'Stolen', observationIds: [ids.a.observation] }) },
      { kind: 'foreign-reference', body: (ids) => ({ patientId: ids.b.patient, clinicId: ids.b.clinic, title: 'Stolen', procedureIds: [ids.a.procedure] }) },
    ],
    'GET /v1/case-studies': [
      { kind: 'collection', listKey: 'items', query: (ids) => ({ patientId: ids.b.patient }) },
      { kind: 'foreign-reference', query: (ids) => ({ patientId: ids.a.patient }) },
    ],
    'GET /v1/case-studies/:id': { kind: 'foreign-id', resource: 'caseStudy' },
    'PATCH /v1/case-studies/:id': [
      { kind: 'foreign-id', resource: 'caseStudy', body: { title: 'Hijacked', attachmentIds: [] } },
      // B links A's attachment into B's own case study.
      { kind: 'foreign-reference', params: { id: 'caseStudy' }, body: (ids) => ({ attachmentIds: [ids.a.attachment] }) },
    ],
    'DELETE /v1/case-studies/:id': { kind: 'foreign-id', resource: 'caseStudy' },
  },
  /**
   * Dental records and case studies are clinic-scoped (templates are the org's). The clinic-1
   * doctor records, for the patient also seen at clinic 2, an observation, a procedure, an
   * attachment and a case study linking them; clinic 2 holds the seeded ones (same patient).
   */
  clinic: {
    async seed({ region, org, attackers, ids }: ClinicContext) {
      const { patient, clinic } = ids.b;
      const post = async (url: string, body: unknown, token = attackers.doctor.token) => {
        const res = await region.client.post<{ id: string }>(url, body, { token });
        if (res.status !== 201) throw new Error(`seeding ${url} answered ${res.status}: ${JSON.stringify(res.body)}`);
        return res.body.id;
      };
      const upload = async (kind: string) => {
        const res = await region.client.request<{ id: string }>('POST', `/v1/dental/attachments?patientId=${patient}&clinicId=${clinic}&kind=${kind}`, {
          token: attackers.doctor.token,
          payload: TINY_PNG,
          headers: { 'content-type': 'image/png' },
        });
        if (res.status !== 201) throw new Error(`seeding a clinic-1 attachment answered ${res.status}: ${JSON.stringify(res.body)}`);
        return res.body.id;
      };
      const observation = await post('/v1/dental/observations', { patientId: patient, clinicId: clinic, tooth: 36, condition: 'caries' });
      const procedure = await post('/v1/dental/procedures', { patientId: patient, clinicId: clinic, code: 'D2140', description: 'Clinic 1', observationId: observation });
      const attachment = await upload('photo');
      const caseStudy = await post('/v1/case-studies', {
        patientId: patient,
        clinicId: clinic,
        title: 'Clinic 1 case',
        observationIds: [observation],
        procedureIds: [procedure],
        attachmentIds: [attachment],
      });
      // A template no clinic-2 record uses, for the delete probe (see DELETE /v1/dental/templates/:id).
      const spareTemplate = await post('/v1/dental/templates', { name: 'Clinic 1 spare template', condition: 'wear' });
      // Clinic-1 records that clinic 2 would cite: even A's admin (who sees both clinics) cannot link
      // them from a case study in clinic 2, nor have a procedure in clinic 2 treat the observation (404,
      // and the database's foreign keys include the clinic); so deleting them changes nothing of clinic 2.
      const refused = async (url: string, body: unknown, method: 'POST' | 'PATCH' = 'POST') => {
        const res = await region.client.request(method, url, { token: org.admin.token, body });
        if (res.status !== 404) throw new Error(`a cross-clinic link ${method} ${url} answered ${res.status}, not 404: ${JSON.stringify(res.body)}`);
      };
      const linkedObservation = await post('/v1/dental/observations', { patientId: patient, clinicId: clinic, tooth: 37, condition: 'fracture' });
      const linkedProcedure = await post('/v1/dental/procedures', { patientId: patient, clinicId: clinic, code: 'D2150', description: 'Clinic 1, cited' });
      const linkedAttachment = await upload('xray');
      for (const links of [{ observationIds: [linkedObservation] }, { procedureIds: [linkedProcedure] }, { attachmentIds: [linkedAttachment] }]) {
        await refused('/v1/case-studies', { patientId: patient, clinicId: ids.a.clinic, title: 'Clinic 2 case citing clinic 1', ...links });
      }
      await refused('/v1/dental/procedures', { patientId: patient, clinicId: ids.a.clinic, code: 'D3310', description: 'Clinic 2 treats a clinic-1 finding', observationId: linkedObservation });
      // And the other way round: a case study in clinic 1 cannot cite clinic 2's records.
      const citingCaseStudy = await post('/v1/case-studies', { patientId: patient, clinicId: clinic, title: 'Clinic 1 case' }, org.admin.token);
      for (const links of [{ observationIds: [ids.a.observation] }, { procedureIds: [ids.a.procedure] }, { attachmentIds: [ids.a.attachment] }]) {
        await refused(`/v1/case-studies/${citingCaseStudy}`, links, 'PATCH');
      }
      return { observation, procedure, attachment, caseStudy, spareTemplate, linkedObservation, linkedProcedure, linkedAttachment, citingCaseStudy };
    },
    cases: {
      'POST /v1/dental/templates': {
        kind: 'org-wide',
        reason: "observation templates are the org's, shared by its clinics",
        probe: { body: { name: 'Clinic 1 template', condition: 'fracture' } },
      },
      'GET /v1/dental/templates': { kind: 'org-wide', reason: "observation templates are the org's", probe: { as: 'staff' } },
      'GET /v1/dental/templates/:id': { kind: 'org-wide', reason: "observation templates are the org's", probe: { as: 'staff', resource: 'dentalTemplate' } },
      'PATCH /v1/dental/templates/:id': {
        kind: 'org-wide',
        reason: "observation templates are the org's",
        probe: { resource: 'dentalTemplate', body: { name: 'Seed template (edited at clinic 1)' } },
      },
      // Deleting a template sets template_id NULL on the observations made from it, in every clinic
      // (a foreign-key action, which row-level security does not filter): the probe deletes one no
      // clinic-2 observation uses. Templates being the org's, that is the design, not a leak.
      'DELETE /v1/dental/templates/:id': {
        kind: 'org-wide',
        reason: "observation templates are the org's; observations made from one keep their finding",
        probe: { params: { id: 'spareTemplate' } },
      },

      'POST /v1/dental/observations': [
        { kind: 'own-clinic', body: (ids) => ({ patientId: ids.b.patient, clinicId: ids.b.clinic, tooth: 21, condition: 'filled' }) },
        { kind: 'other-clinic-reference', body: (ids) => ({ patientId: ids.b.patient, clinicId: ids.a.clinic, tooth: 21, condition: 'filled' }) },
        { kind: 'forbidden', as: 'staff', body: (ids) => ({ patientId: ids.b.patient, clinicId: ids.b.clinic, tooth: 21, condition: 'filled' }) },
      ],
      'GET /v1/dental/observations': [
        { kind: 'own-clinic', listKey: 'items', query: (ids) => ({ patientId: ids.b.patient }) },
        { kind: 'own-clinic', as: 'staff', listKey: 'items', empty: true, query: (ids) => ({ patientId: ids.b.patient, clinicId: ids.a.clinic }) },
      ],
      'GET /v1/dental/observations/:id': [
        { kind: 'other-clinic-id', resource: 'observation' },
        { kind: 'other-clinic-id', as: 'staff', resource: 'observation' },
      ],
      'PATCH /v1/dental/observations/:id': { kind: 'other-clinic-id', resource: 'observation', body: { condition: 'missing' } },
      'DELETE /v1/dental/observations/:id': [
        { kind: 'other-clinic-id', resource: 'observation' },
        // Its own observation, which clinic 2's case study links and clinic 2's procedure treats.
        { kind: 'own-clinic', params: { id: 'linkedObservation' } },
      ],

      'POST /v1/dental/procedures': [
        { kind: 'own-clinic', body: (ids) => ({ patientId: ids.b.patient, clinicId: ids.b.clinic, code: 'D1110', description: 'Prophylaxis' }) },
        { kind: 'other-clinic-reference', body: (ids) => ({ patientId: ids.b.patient, clinicId: ids.a.clinic, code: 'D1110', description: 'Prophylaxis' }) },
        // In clinic 1, treating clinic 2's observation of the same patient.
        {
          kind: 'other-clinic-reference',
          body: (ids) => ({ patientId: ids.b.patient, clinicId: ids.b.clinic, code: 'D1110', description: 'Prophylaxis', observationId: ids.a.observation }),
        },
      ],
      'GET /v1/dental/procedures': [
        { kind: 'own-clinic', listKey: 'items', query: (ids) => ({ patientId: ids.b.patient }) },
        { kind: 'own-clinic', as: 'staff', listKey: 'items', empty: true, query: (ids) => ({ patientId: ids.b.patient, clinicId: ids.a.clinic }) },
      ],
      'GET /v1/dental/procedures/:id': { kind: 'other-clinic-id', as: 'staff', resource: 'procedure' },
      'PATCH /v1/dental/procedures/:id': [
        { kind: 'other-clinic-id', resource: 'procedure', body: { status: 'cancelled' } },
        // Clinic 1's own procedure, linked to clinic 2's observation of the same patient.
        { kind: 'other-clinic-reference', params: { id: 'procedure' }, body: (ids) => ({ observationId: ids.a.observation }) },
      ],
      'DELETE /v1/dental/procedures/:id': [
        { kind: 'other-clinic-id', resource: 'procedure' },
        // Its own procedure, which clinic 2's case study links.
        { kind: 'own-clinic', params: { id: 'linkedProcedure' } },
      ],

      'POST /v1/dental/attachments': [
        { kind: 'own-clinic', as: 'staff', query: (ids) => ({ patientId: ids.b.patient, clinicId: ids.b.clinic, kind: 'photo' }), payload: TINY_PNG, contentType: 'image/png' },
        {
          kind: 'other-clinic-reference',
          as: 'staff',
          query: (ids) => ({ patientId: ids.b.patient, clinicId: ids.a.clinic, kind: 'photo' }),
          payload: TINY_PNG,
          contentType: 'image/png',
        },
      ],
      'GET /v1/dental/attachments': [
        { kind: 'own-clinic', as: 'staff', listKey: 'items', query: (ids) => ({ patientId: ids.b.patient }) },
        { kind: 'own-clinic', listKey: 'items', empty: true, query: (ids) => ({ patientId: ids.b.patient, clinicId: ids.a.clinic }) },
      ],
      'GET /v1/dental/attachments/:id': { kind: 'other-clinic-id', as: 'staff', resource: 'attachment' },
      'GET /v1/dental/attachments/:id/download-url': [
        { kind: 'other-clinic-id', as: 'staff', resource: 'attachment' },
        { kind: 'other-clinic-id', resource: 'attachment' },
      ],
      'GET /v1/dental/attachments/:id/download': [
        { kind: 'other-clinic-id', as: 'staff', resource: 'attachment' },
        { kind: 'other-clinic-id', resource: 'attachment' },
      ],
      'DELETE /v1/dental/attachments/:id': [
        { kind: 'other-clinic-id', resource: 'attachment' },
        { kind: 'forbidden', as: 'staff', resource: 'attachment' },
        // Its own attachment, which clinic 2's case study links.
        { kind: 'own-clinic', params: { id: 'linkedAttachment' } },
      ],

      'POST /v1/case-studies': [
        { kind: 'own-clinic', body: (ids) => ({ patientId: ids.b.patient, clinicId: ids.b.clinic, title: 'Clinic 1 story', observationIds: [ids.b.observation] }) },
        { kind: 'other-clinic-reference', body: (ids) => ({ patientId: ids.b.patient, clinicId: ids.a.clinic, title: 'Elsewhere' }) },
        // In clinic 1, linking clinic 2's records of the same patient.
        { kind: 'other-clinic-reference', body: (ids) => ({ patientId: ids.b.patient, clinicId: ids.b.clinic, title: 'Borrowed', attachmentIds: [ids.a.attachment] }) },
        { kind: 'other-clinic-reference', body: (ids) => ({ patientId: ids.b.patient, clinicId: ids.b.clinic, title: 'Borrowed', observationIds: [ids.a.observation] }) },
        { kind: 'other-clinic-reference', body: (ids) => ({ patientId: ids.b.patient, clinicId: ids.b.clinic, title: 'Borrowed', procedureIds: [ids.a.procedure] }) },
        { kind: 'forbidden', as: 'staff', body: (ids) => ({ patientId: ids.b.patient, clinicId: ids.b.clinic, title: 'Staff story' }) },
      ],
      'GET /v1/case-studies': [
        { kind: 'own-clinic', as: 'staff', listKey: 'items', query: (ids) => ({ patientId: ids.b.patient }) },
        { kind: 'own-clinic', listKey: 'items', empty: true, query: (ids) => ({ patientId: ids.b.patient, clinicId: ids.a.clinic }) },
      ],
      'GET /v1/case-studies/:id': [
        { kind: 'other-clinic-id', resource: 'caseStudy' },
        { kind: 'other-clinic-id', as: 'staff', resource: 'caseStudy' },
        // Its own case study, which A's admin could not link to clinic 2's records.
        { kind: 'own-clinic', as: 'staff', params: { id: 'citingCaseStudy' } },
      ],
      'PATCH /v1/case-studies/:id': [
        { kind: 'other-clinic-id', resource: 'caseStudy', body: { title: 'Hijacked', attachmentIds: [] } },
        // Clinic 1's own case study, linking clinic 2's attachment of the same patient.
        { kind: 'other-clinic-reference', params: { id: 'caseStudy' }, body: (ids) => ({ attachmentIds: [ids.a.attachment] }) },
      ],
      'DELETE /v1/case-studies/:id': { kind: 'other-clinic-id', resource: 'caseStudy' },
    },
  },
};

export default dental;
