'use strict';
/**
 * Demo data of `npm start`, made through the public API only (as a user would): one
 * organization per region, signed up on the control plane, given a plan by the platform admin,
 * and its further clinics added on its regional API by the org admin. Idempotent: a second run
 * finds the organizations (409 at signup) and logs in instead; the ids are kept in
 * .medgenie/demo.json.
 */
const { paths, readJson, writeJson, sleep, log, call, jwtClaims } = require('./local');

/** Fixed, documented demo logins (local development only). */
const DEMO_ORGS = [
  {
    key: 'apollo',
    organizationName: 'Apollo Hospitals',
    slug: 'apollo',
    regionId: 'in',
    plan: 'premium',
    adminName: 'Apollo Admin',
    adminEmail: 'admin@apollo.example',
    adminPassword: 'Apollo-Demo-Pass-2025',
    clinics: [{ name: 'Mumbai' }, { name: 'Delhi', code: 'DELHI' }],
  },
  {
    key: 'sunnybrook',
    organizationName: 'Sunnybrook Health',
    slug: 'sunnybrook',
    regionId: 'ca',
    plan: 'basic',
    adminName: 'Sunnybrook Admin',
    adminEmail: 'admin@sunnybrook.example',
    adminPassword: 'Sunnybrook-Demo-Pass-2025',
    clinics: [{ name: 'Toronto' }, { name: 'Montreal', code: 'MONTREAL' }],
  },
  {
    key: 'mayo',
    organizationName: 'Mayo Family Practice',
    slug: 'mayo',
    regionId: 'us',
    plan: 'basic',
    adminName: 'Mayo Admin',
    adminEmail: 'admin@mayo.example',
    adminPassword: 'Mayo-Demo-Pass-2025',
    clinics: [{ name: 'Rochester' }],
  },
];

const PLATFORM_ADMIN_EMAIL = 'admin@medgenie.local';

function expectStatus(res, ok, what) {
  if (!ok.includes(res.status)) {
    const detail = res.body && typeof res.body === 'object' ? res.body.message ?? JSON.stringify(res.body) : res.body;
    throw new Error(`${what} answered ${res.status}: ${String(detail).slice(0, 300)}`);
  }
  return res.body;
}

async function login(controlPlaneUrl, email, password, what) {
  return expectStatus(await call(controlPlaneUrl, 'POST', '/v1/auth/login', { body: { email, password } }), [200, 201], what);
}

/** Signs up the organization, or logs in as its admin when it exists (409). */
async function signupOrLogin(controlPlaneUrl, org) {
  const res = await call(controlPlaneUrl, 'POST', '/v1/signup', {
    body: {
      organizationName: org.organizationName,
      slug: org.slug,
      regionId: org.regionId,
      adminName: org.adminName,
      adminEmail: org.adminEmail,
      adminPassword: org.adminPassword,
      clinicName: org.clinics[0].name,
    },
  });
  if (res.status === 201 || res.status === 202) {
    log(`demo: signed up ${org.organizationName} (${org.slug}, region ${org.regionId})${res.status === 202 ? ', provisioning' : ''}`);
    return { tokens: res.body, provisioning: res.status === 202 };
  }
  if (res.status === 409) {
    const tokens = await login(controlPlaneUrl, org.adminEmail, org.adminPassword, `logging in as ${org.adminEmail}`);
    return { tokens, provisioning: false };
  }
  return { tokens: expectStatus(res, [201], `signing up ${org.organizationName}`), provisioning: false };
}

/** After a 202 the control plane's worker finishes provisioning: waits until the region knows the org. */
async function waitProvisioned(regionUrl, token, what) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if ((await call(regionUrl, 'GET', '/v1/organization', { token })).status === 200) return;
    await sleep(1_000);
  }
  throw new Error(`${what} was not provisioned in its region within 60 s`);
}

async function ensurePlan(controlPlaneUrl, adminToken, orgId, org) {
  const current = expectStatus(
    await call(controlPlaneUrl, 'GET', `/v1/admin/organizations/${orgId}`, { token: adminToken }),
    [200],
    `reading ${org.organizationName} as the platform admin`,
  );
  if (current.plan === org.plan) return;
  const changed = expectStatus(
    await call(controlPlaneUrl, 'PATCH', `/v1/admin/organizations/${orgId}/plan`, { token: adminToken, body: { plan: org.plan } }),
    [200],
    `changing the plan of ${org.organizationName}`,
  );
  log(`demo: ${org.organizationName} is on the ${org.plan} plan${changed.regionSynced === false ? ' (its region catches up later)' : ''}`);
}

/** Adds the clinics after the first (which signup made), matched by code or name. */
async function ensureClinics(regionUrl, token, org) {
  const list = async () => expectStatus(await call(regionUrl, 'GET', '/v1/clinics', { token }), [200], `listing the clinics of ${org.organizationName}`);
  const find = (clinics, c) => clinics.find((x) => (c.code && x.code === c.code) || x.name === c.name);
  let clinics = await list();
  for (const clinic of org.clinics.slice(1)) {
    if (find(clinics, clinic)) continue;
    const res = await call(regionUrl, 'POST', '/v1/clinics', { token, body: { name: clinic.name, ...(clinic.code ? { code: clinic.code } : {}) } });
    if (res.status !== 409) {
      expectStatus(res, [201], `adding clinic ${clinic.name} to ${org.organizationName}`);
      log(`demo: added clinic ${clinic.name} to ${org.organizationName}`);
    }
    clinics = await list();
  }
  return Object.fromEntries(org.clinics.map((c) => [c.name, find(clinics, c)?.id ?? null]));
}

/** Demo patients of every organization (a mobile number and first name identify a patient). */
const DEMO_PATIENTS = [
  { firstName: 'Asha', lastName: 'Verma', mobileNumber: '+12025550101', gender: 'female', dateOfBirth: '1988-03-14' },
  { firstName: 'Rohan', lastName: 'Mehta', mobileNumber: '+12025550102', gender: 'male', dateOfBirth: '1975-11-02' },
];

/** The first clinic's morning, `days` from today, as an ISO instant (the clinic's zone is the region's). */
function clinicMorning(days, hour, utcOffsetMinutes) {
  const d = new Date(Date.now() + days * 86_400_000);
  const local = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), hour, 0, 0);
  return new Date(local - utcOffsetMinutes * 60_000).toISOString();
}

const REGION_UTC_OFFSET_MINUTES = { in: 330, ca: -300, us: -300 };

/**
 * A clinic's working data, through the API as a clinic admin would make it: the admin (who
 * signed up as a doctor) practises at every clinic Monday to Saturday, a FEVER short key, two
 * patients, and an appointment tomorrow morning. Idempotent: what exists (409) is kept.
 */
async function ensureClinicalDemo(regionUrl, token, org, clinics) {
  const [doctor] = expectStatus(await call(regionUrl, 'GET', '/v1/doctors', { token }), [200], `listing the doctors of ${org.organizationName}`);
  if (!doctor) return;
  const schedule = [1, 2, 3, 4, 5, 6].map((weekday) => ({ weekday, start: '09:00', end: '17:00' }));
  for (const clinicId of Object.values(clinics).filter(Boolean)) {
    expectStatus(await call(regionUrl, 'PUT', `/v1/doctors/${doctor.id}/clinics/${clinicId}`, { token, body: { schedule } }), [200], 'setting the doctor’s hours');
  }
  const medicines = expectStatus(await call(regionUrl, 'GET', '/v1/medicines?search=paracetamol', { token }), [200], 'searching medicines');
  const paracetamol = medicines.items.find((m) => m.scope === 'global');
  if (paracetamol) {
    const res = await call(regionUrl, 'POST', '/v1/short-keys', {
      token,
      body: {
        code: 'FEVER',
        name: 'Fever, adult',
        items: [{ medicineId: paracetamol.id, dosage: '500 mg', frequency: '1-1-1', duration: '3 days', quantity: 9, instructions: 'After food' }],
      },
    });
    expectStatus(res, [201, 409], 'adding the FEVER short key');
  }
  const patientIds = [];
  for (const patient of DEMO_PATIENTS) {
    const res = await call(regionUrl, 'POST', '/v1/patients', { token, body: patient });
    if (res.status === 201) {
      patientIds.push(res.body.id);
      continue;
    }
    expectStatus(res, [409], `adding patient ${patient.firstName}`);
    const found = expectStatus(await call(regionUrl, 'GET', `/v1/patients?search=${encodeURIComponent(patient.mobileNumber)}`, { token }), [200], 'finding a patient');
    const match = found.items.find((p) => p.firstName === patient.firstName);
    if (match) patientIds.push(match.id);
  }
  const clinicId = Object.values(clinics)[0];
  if (clinicId && patientIds[0]) {
    const startsAt = clinicMorning(1, 10, REGION_UTC_OFFSET_MINUTES[org.regionId] ?? 0);
    const res = await call(regionUrl, 'POST', '/v1/appointments', {
      token,
      body: { clinicId, patientId: patientIds[0], doctorId: doctor.id, startsAt, durationMinutes: 15, reason: 'Follow-up' },
    });
    expectStatus(res, [201, 409], 'booking the demo appointment');
  }
}

/**
 * Makes the demo organizations. Returns { orgs, warnings }: a failure on one organization is
 * reported and does not stop the platform.
 */
async function seedDemo({ controlPlaneUrl, regionUrls, platformAdminPassword }) {
  const demo = readJson(paths.demo) ?? {};
  demo.orgs = demo.orgs ?? {};
  const warnings = [];
  let adminToken;
  for (const org of DEMO_ORGS) {
    const regionUrl = regionUrls[org.regionId];
    try {
      if (!regionUrl) throw new Error(`region ${org.regionId} is not running`);
      const { tokens, provisioning } = await signupOrLogin(controlPlaneUrl, org);
      const claims = jwtClaims(tokens.accessToken);
      if (provisioning) await waitProvisioned(regionUrl, tokens.accessToken, org.organizationName);
      adminToken ??= (await login(controlPlaneUrl, PLATFORM_ADMIN_EMAIL, platformAdminPassword, 'logging in as the platform admin')).accessToken;
      await ensurePlan(controlPlaneUrl, adminToken, claims.org, org);
      const clinics = await ensureClinics(regionUrl, tokens.accessToken, org);
      await ensureClinicalDemo(regionUrl, tokens.accessToken, org, clinics);
      demo.orgs[org.key] = {
        organizationId: claims.org,
        adminUserId: claims.sub,
        regionId: org.regionId,
        slug: org.slug,
        adminEmail: org.adminEmail,
        clinics,
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
      };
    } catch (err) {
      warnings.push(`${org.organizationName}: ${err.cause?.code ?? err.message}`);
    }
  }
  writeJson(paths.demo, demo);
  return { orgs: demo.orgs, warnings };
}

module.exports = { DEMO_ORGS, PLATFORM_ADMIN_EMAIL, seedDemo, login };
