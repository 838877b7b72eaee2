import { CaseSet, Ids } from './matrix';

const line = (medicineId: string) => ({ medicineId, dosage: '1 tablet', frequency: '1-0-1', duration: '5 days', quantity: 10 });

/** Short keys: per-org prescription templates whose lines name global or own medicines. */
const shortKeys: CaseSet = {
  async seed({ region, a, b, ids }) {
    const create = async (token: string, code: string, medicineId: string) => {
      const res = await region.client.post<{ id: string }>('/v1/short-keys', { code, name: code, items: [line(medicineId)] }, { token });
      if (res.status !== 201) throw new Error(`creating a short key answered ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body.id;
    };
    // The same code in both orgs: codes are unique per org only.
    return {
      a: { shortKey: await create(a.admin.token, 'FEVER', ids.a.medicine) },
      b: { shortKey: await create(b.admin.token, 'FEVER', ids.b.globalMedicine) },
    };
  },
  cases: {
    // B's key whose line names A's own medicine: 404 MEDICINE_NOT_FOUND, nothing made.
    'POST /v1/short-keys': { kind: 'foreign-reference', body: (ids: Ids) => ({ code: 'STOLEN', name: 'Stolen', items: [line(ids.a.medicine)] }) },
    'GET /v1/short-keys': { kind: 'collection', listKey: 'items' },
    'GET /v1/short-keys/:id': { kind: 'foreign-id', resource: 'shortKey' },
    'PATCH /v1/short-keys/:id': { kind: 'foreign-id', resource: 'shortKey', body: (ids: Ids) => ({ name: 'Hijacked', items: [line(ids.b.globalMedicine)] }) },
    'DELETE /v1/short-keys/:id': { kind: 'foreign-id', resource: 'shortKey' },
  },
  /** Short keys are the org's prescription templates, shared by all its clinics. */
  clinic: {
    cases: {
      'POST /v1/short-keys': {
        kind: 'org-wide',
        reason: "short keys are the org's",
        probe: { body: (ids: Ids) => ({ code: 'CLINIC1', name: 'Clinic 1 key', items: [line(ids.b.medicine)] }) },
      },
      'GET /v1/short-keys': { kind: 'org-wide', reason: "short keys are the org's", probe: { as: 'staff' } },
      'GET /v1/short-keys/:id': { kind: 'org-wide', reason: "short keys are the org's", probe: { as: 'staff', resource: 'shortKey' } },
      'PATCH /v1/short-keys/:id': { kind: 'org-wide', reason: "short keys are the org's", probe: { resource: 'shortKey', body: { description: 'Edited at clinic 1' } } },
      'DELETE /v1/short-keys/:id': { kind: 'forbidden', as: 'staff', resource: 'shortKey' },
    },
  },
};

export default shortKeys;
