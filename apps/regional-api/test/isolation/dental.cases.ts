import { CaseSet, IsolationContext } from './matrix';

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
};

export default dental;
