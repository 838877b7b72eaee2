import { CaseSet } from './matrix';

/** Schema v1's routes: health, organization, clinics, memberships, patients, provisioning. */
const core: CaseSet = {
  cases: {
    'GET /healthz': { kind: 'public', reason: 'liveness, no data' },
    'GET /readyz': { kind: 'public', reason: 'readiness, no data' },
    'GET /openapi.json': { kind: 'public', reason: 'API description, no data' },

    'GET /v1/organization': { kind: 'own-org' },
    'PATCH /v1/organization/settings': { kind: 'own-org', body: { branding: { displayName: 'Changed by B' }, timezone: 'Asia/Kolkata' } },

    'POST /v1/clinics': { kind: 'collection', body: { name: 'B Clinic', code: 'B-CLINIC' } },
    'GET /v1/clinics': { kind: 'collection' },
    'GET /v1/clinics/:id': { kind: 'foreign-id', resource: 'clinic' },
    'PATCH /v1/clinics/:id': { kind: 'foreign-id', resource: 'clinic', body: { name: 'Hijacked' } },
    'DELETE /v1/clinics/:id': { kind: 'foreign-id', resource: 'clinic' },

    'GET /v1/memberships': { kind: 'collection' },
    'GET /v1/memberships/:id': { kind: 'foreign-id', resource: 'membership' },

    'POST /v1/patients': { kind: 'collection', body: { firstName: 'Bea', lastName: 'Other', mobileNumber: '+15550001111' } },
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
  },
};

export default core;
