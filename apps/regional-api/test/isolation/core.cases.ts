import { CaseSet } from './matrix';

/** Schema v1's routes: health, organization, clinics, memberships, patients, provisioning. */
const core: CaseSet = {
  cases: {
    'GET /healthz': { kind: 'public', reason: 'liveness, no data' },
    'GET /readyz': { kind: 'public', reason: 'readiness, no data' },
    'GET /openapi.json': { kind: 'public', reason: 'API description, no data' },

    'GET /v1/organization': { kind: 'own-org' },
    'PATCH /v1/organization/settings': { kind: 'own-org', body: { branding: { displayName: 'Changed by B' }, timezone: 'Asia/Kolkata' } },
    'GET /v1/features': { kind: 'own-org' },

    'POST /v1/clinics': { kind: 'collection', body: { name: 'B Clinic', code: 'B-CLINIC' } },
    'GET /v1/clinics': { kind: 'collection' },
    'GET /v1/clinics/:id': { kind: 'foreign-id', resource: 'clinic' },
    'PATCH /v1/clinics/:id': { kind: 'foreign-id', resource: 'clinic', body: { name: 'Hijacked' } },
    'DELETE /v1/clinics/:id': { kind: 'foreign-id', resource: 'clinic' },

    'GET /v1/me': { kind: 'own-org' },
    'GET /v1/memberships': { kind: 'collection' },
    'GET /v1/memberships/:id': { kind: 'foreign-id', resource: 'membership' },

    'POST /v1/patients': { kind: 'collection', body: { firstName: 'Bea', lastName: 'Other', mobileNumber: '+12025550112' } },
    'GET /v1/patients': { kind: 'collection', listKey: 'items' },
    'GET /v1/patients/:id': { kind: 'foreign-id', resource: 'patient' },
    'PATCH /v1/patients/:id': { kind: 'foreign-id', resource: 'patient', body: { lastName: 'Hijacked' } },
    'DELETE /v1/patients/:id': { kind: 'foreign-id', resource: 'patient' },

    'POST /internal/v1/organizations': { kind: 'service', body: {} },
    'PATCH /internal/v1/organizations/:orgId': { kind: 'service', body: { status: 'suspended' } },
    'PUT /internal/v1/organizations/:orgId/memberships/:userId': {
      kind: 'service',
      body: { role: 'org_admin', displayName: 'x', clinicIds: [] },
    },
    'POST /internal/v1/organizations/:orgId/ended-sessions': {
      kind: 'service',
      body: { sessions: [{ sessionId: '00000000-0000-4000-8000-000000000001', expiresAt: '2030-01-01T00:00:00Z' }] },
    },
  },
  clinic: {
    cases: {
      'GET /healthz': { kind: 'org-wide', reason: 'liveness, no data' },
      'GET /readyz': { kind: 'org-wide', reason: 'readiness, no data' },
      'GET /openapi.json': { kind: 'org-wide', reason: 'API description, no data' },

      'GET /v1/organization': { kind: 'org-wide', reason: 'the organization is one for all its clinics', probe: { as: 'staff' } },
      'PATCH /v1/organization/settings': { kind: 'forbidden', as: 'doctor', body: { branding: { displayName: 'Changed from clinic 1' } } },
      'GET /v1/features': { kind: 'org-wide', reason: "the caller's flags for their organization, not a clinic's data", probe: { as: 'staff' } },

      // Clinics: a member sees the clinics it is granted; only org admins change them.
      'POST /v1/clinics': { kind: 'forbidden', as: 'doctor', body: { name: 'Rogue Clinic', code: 'ROGUE' } },
      'GET /v1/clinics': [{ kind: 'own-clinic' }, { kind: 'own-clinic', as: 'staff' }],
      'GET /v1/clinics/:id': [
        { kind: 'other-clinic-id', resource: 'clinic' },
        { kind: 'other-clinic-id', resource: 'clinic', as: 'staff' },
      ],
      'PATCH /v1/clinics/:id': { kind: 'forbidden', as: 'doctor', resource: 'clinic', body: { name: 'Hijacked' } },
      'DELETE /v1/clinics/:id': { kind: 'forbidden', as: 'staff', resource: 'clinic' },

      'GET /v1/me': { kind: 'org-wide', reason: "the caller's own membership, with only the clinics RLS lets them see", probe: { as: 'staff' } },
      'GET /v1/memberships': { kind: 'forbidden', as: 'doctor' },
      'GET /v1/memberships/:id': { kind: 'forbidden', as: 'staff', resource: 'membership' },

      // Patients are the org's, seen at any of its clinics (their records there are clinic-scoped):
      // reading or editing one from clinic 1 is allowed and shows nothing of clinic 2.
      'POST /v1/patients': {
        kind: 'org-wide',
        reason: 'patients are org-wide',
        probe: { as: 'staff', body: { firstName: 'Clia', lastName: 'One', mobileNumber: '+12025550113' } },
      },
      'GET /v1/patients': { kind: 'org-wide', reason: 'patients are org-wide', probe: { as: 'staff' } },
      'GET /v1/patients/:id': { kind: 'org-wide', reason: 'patients are org-wide', probe: { as: 'staff', resource: 'patient' } },
      'PATCH /v1/patients/:id': {
        kind: 'org-wide',
        reason: 'patients are org-wide',
        probe: { as: 'staff', resource: 'patient', body: { email: 'seen.at.both@example.test' } },
      },
      'DELETE /v1/patients/:id': { kind: 'forbidden', as: 'doctor', resource: 'patient' },

      'POST /internal/v1/organizations': { kind: 'org-wide', reason: 'control plane to region, service credential only (org matrix: a user token gets 401)' },
      'PATCH /internal/v1/organizations/:orgId': { kind: 'org-wide', reason: 'control plane to region, service credential only' },
      'PUT /internal/v1/organizations/:orgId/memberships/:userId': { kind: 'org-wide', reason: 'control plane to region, service credential only' },
      'POST /internal/v1/organizations/:orgId/ended-sessions': { kind: 'org-wide', reason: 'control plane to region, service credential only' },
    },
  },
};

export default core;
