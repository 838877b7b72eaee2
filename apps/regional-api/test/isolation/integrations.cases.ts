import { CaseSet } from './matrix';

/**
 * The organization's integration settings (WhatsApp sender, UPI VPA, fax), on the caller's own
 * organization only. The matrix's region is `in`, where seed 000 turns on WhatsApp and UPI: both
 * orgs hold values, so a change to A's would show in its snapshot.
 */
const integrations: CaseSet = {
  async seed({ region, a, b }) {
    for (const [org, n] of [
      [a, 1],
      [b, 2],
    ] as const) {
      const body = { whatsappSenderNumber: `+91987654321${n}`, upiVpa: `clinic.${n}@okaxis` };
      const res = await region.client.patch('/v1/organization/integrations', body, { token: org.admin.token });
      if (res.status !== 200) throw new Error(`seeding integrations answered ${res.status}: ${JSON.stringify(res.body)}`);
    }
    return {};
  },
  cases: {
    'GET /v1/organization/integrations': { kind: 'own-org' },
    'PATCH /v1/organization/integrations': { kind: 'own-org', body: { whatsappSenderNumber: '+919812345678', upiVpa: 'changed.by.b@ybl' } },
  },
  clinic: {
    cases: {
      'GET /v1/organization/integrations': { kind: 'org-wide', reason: "the organization's settings, one for all its clinics", probe: { as: 'staff' } },
      'PATCH /v1/organization/integrations': [
        { kind: 'forbidden', as: 'doctor', body: { upiVpa: 'rogue.doctor@ybl' } },
        { kind: 'forbidden', as: 'staff', body: { whatsappSenderNumber: '+919812345678' } },
      ],
    },
  },
};

export default integrations;
