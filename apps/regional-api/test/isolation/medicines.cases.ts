import { CaseSet } from './matrix';

/** Medicines: the global catalogue (everyone's, read-only) and each org's own. */
const medicines: CaseSet = {
  async seed({ region, a, b }) {
    const own = async (token: string, name: string) => {
      const res = await region.client.post<{ id: string }>('/v1/medicines', { name, genericName: 'Isolatol', form: 'tablet', strength: '10 mg' }, { token });
      if (res.status !== 201) throw new Error(`creating a medicine answered ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body.id;
    };
    const global = await region.client.get<{ items: { id: string }[] }>('/v1/medicines?search=paracetamol&scope=global', { token: b.admin.token });
    return {
      a: { medicine: await own(a.admin.token, 'A Own Medicine') },
      b: { medicine: await own(b.admin.token, 'B Own Medicine'), globalMedicine: global.body.items[0].id },
    };
  },
  cases: {
    'POST /v1/medicines': { kind: 'collection', body: { name: 'B Second Medicine', form: 'syrup', strength: '5 mg/5 ml' } },
    // The list holds B's own and the global catalogue, never A's own.
    'GET /v1/medicines': { kind: 'collection', listKey: 'items' },
    'GET /v1/medicines/:id': { kind: 'foreign-id', resource: 'medicine' },
    'PATCH /v1/medicines/:id': { kind: 'foreign-id', resource: 'medicine', body: { name: 'Hijacked' } },
    'DELETE /v1/medicines/:id': { kind: 'foreign-id', resource: 'medicine' },
  },
  /** Medicines are the global catalogue and the org's own, shared by all its clinics. */
  clinic: {
    cases: {
      'POST /v1/medicines': {
        kind: 'org-wide',
        reason: "an org's own medicines are shared by its clinics",
        probe: { body: { name: 'Clinic 1 Tonic', form: 'syrup', strength: '10 ml' } },
      },
      'GET /v1/medicines': { kind: 'org-wide', reason: "the global catalogue and the org's own", probe: { as: 'staff' } },
      'GET /v1/medicines/:id': { kind: 'org-wide', reason: "an org's own medicines are shared by its clinics", probe: { as: 'staff', resource: 'medicine' } },
      'PATCH /v1/medicines/:id': {
        kind: 'org-wide',
        reason: "an org's own medicines are shared by its clinics",
        probe: { resource: 'medicine', body: { manufacturer: 'Edited at clinic 1' } },
      },
      'DELETE /v1/medicines/:id': { kind: 'forbidden', as: 'doctor', resource: 'medicine' },
    },
  },
};

export default medicines;
