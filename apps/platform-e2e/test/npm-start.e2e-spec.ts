import type { ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import Stripe from 'stripe';
import { request } from 'undici';
import { NpmStartPlatform, startNpmStart } from './npm-start-platform';

/**
 * Boots the platform exactly as `npm start` does (scripts/start.js, in a temporary data
 * directory) and walks the public contract of DESIGN.md §9 through the gateway.
 */
describe('the platform as `npm start` runs it, through the gateway', () => {
  let platform: NpmStartPlatform;
  let child: ChildProcess;
  let home: string;
  let port: number;

  beforeAll(async () => {
    platform = await startNpmStart('medgenie-e2e-home-', 240_000);
    ({ child, home, port } = platform);
  }, 250_000);

  afterAll(() => platform?.stop(), 60_000);

  const call = <T = Record<string, unknown>>(host: string, method: string, path: string, options: { token?: string; body?: unknown } = {}) => platform.call<T>(host, method, path, options);

  it('walks the contract: signup in two regions, patients, isolation, errors', async () => {
    expect((await call('localhost', 'GET', '/healthz')).status).toBe(200);
    const state = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8'));
    expect(Object.keys(state.regions).sort()).toEqual(['ca', 'in', 'us']);
    for (const region of Object.values(state.regions) as Record<string, string>[]) {
      expect(Object.keys(region).sort()).toEqual(['apiUrl', 'blobUrl', 'databaseUrl']);
    }
    expect(Object.keys(state.controlPlane).sort()).toEqual(['apiUrl', 'databaseUrl', 'platformAdmin', 'stripeWebhookSecret']);
    expect(state.controlPlane.stripeWebhookSecret).toMatch(/^whsec_/);
    expect(Object.keys(state.controlPlane.platformAdmin).sort()).toEqual(['email', 'password']);

    const suffix = Date.now().toString(36);
    const orgs: Record<string, { slug: string; token: string; organizationId: string }> = {};
    for (const regionId of ['in', 'ca']) {
      const slug = `e2e${regionId}${suffix}`;
      const signup = await call<{ organizationId: string; clinicId: string; userId: string; accessToken: string; refreshToken: string }>(
        'console.localhost',
        'POST',
        '/v1/signup',
        { body: { organizationName: `E2E ${slug}`, slug, regionId, adminName: 'E2E', adminEmail: `${slug}@example.test`, adminPassword: 'correct horse battery staple', clinicName: 'Main' } },
      );
      expect(signup.status).toBe(201);
      expect(Object.keys(signup.body)).toEqual(expect.arrayContaining(['organizationId', 'clinicId', 'userId', 'accessToken', 'refreshToken']));
      const login = await call<{ accessToken: string; refreshToken: string }>('console.localhost', 'POST', '/v1/auth/login', {
        body: { email: `${slug}@example.test`, password: 'correct horse battery staple' },
      });
      expect(login.status).toBe(200);
      orgs[regionId] = { slug, token: login.body.accessToken, organizationId: signup.body.organizationId };
    }
    expect((await call('console.localhost', 'GET', '/.well-known/jwks.json')).body).toHaveProperty('keys');

    const inHost = `${orgs.in.slug}.in.localhost`;
    const created = await call<{ id: string }>(inHost, 'POST', '/v1/patients', {
      token: orgs.in.token,
      body: { firstName: 'Anaya', lastName: 'Pillai', mobileNumber: '+919812300000', dateOfBirth: '1990-04-01', gender: 'female' },
    });
    expect(created.status).toBe(201);
    expect((await call(inHost, 'GET', `/v1/patients/${created.body.id}`, { token: orgs.in.token })).status).toBe(200);
    const found = await call<{ items: { id: string }[] }>(inHost, 'GET', '/v1/patients?search=anaya', { token: orgs.in.token });
    expect(found.body.items.map((p) => p.id)).toEqual([created.body.id]);

    // Another org's id answers 404, never 403.
    const caHost = `${orgs.ca.slug}.ca.localhost`;
    const foreign = await call<{ statusCode: number }>(caHost, 'GET', `/v1/patients/${created.body.id}`, { token: orgs.ca.token });
    expect(foreign.status).toBe(404);
    expect(foreign.body.statusCode).toBe(404);

    // The gateway's rules.
    expect((await call(inHost, 'GET', '/v1/patients', { token: orgs.ca.token })).status).toBe(403);
    expect((await call(`${orgs.in.slug}.ca.localhost`, 'GET', '/v1/patients', { token: orgs.in.token })).status).toBe(421);
    expect((await call(`nobody${suffix}.in.localhost`, 'GET', '/v1/patients')).status).toBe(404);
    expect((await call(inHost, 'POST', '/internal/v1/organizations', { body: {} })).status).toBe(404);
    expect((await call(inHost, 'GET', '/v1/patients')).status).toBe(401);
    for (const host of ['console.localhost', inHost]) {
      expect((await call<{ openapi: string }>(host, 'GET', '/openapi.json')).body.openapi).toMatch(/^3\./);
    }

    // The patient lives in region in's database only (state.json's ops connections read everything).
    const count = async (url: string) => {
      const c = new Client({ connectionString: url });
      await c.connect();
      try {
        return Number((await c.query('select count(*) as n from patients where id = $1', [created.body.id])).rows[0].n);
      } finally {
        await c.end();
      }
    };
    expect(await count(state.regions.in.databaseUrl)).toBe(1);
    expect(await count(state.regions.ca.databaseUrl)).toBe(0);
    expect(await count(state.regions.us.databaseUrl)).toBe(0);
  });

  it('runs a clinic day through the gateway: doctor, appointment, prescription, and an X-ray in the region’s blob store', async () => {
    const suffix = Date.now().toString(36);
    const signup = async (regionId: string) => {
      const slug = `day${regionId}${suffix}`;
      const res = await call<{ clinicId: string; accessToken: string }>('console.localhost', 'POST', '/v1/signup', {
        body: { organizationName: `Day ${slug}`, slug, regionId, adminName: 'Dr Day', adminEmail: `${slug}@example.test`, adminPassword: 'correct horse battery staple', clinicName: 'Main' },
      });
      expect(res.status).toBe(201);
      return { host: `${slug}.${regionId}.localhost`, token: res.body.accessToken, clinicId: res.body.clinicId };
    };
    const org = await signup('in');
    const { host, token, clinicId } = org;

    // The admin who signed up is the org's first doctor.
    const doctors = await call<{ id: string }[]>(host, 'GET', '/v1/doctors', { token });
    expect(doctors.status).toBe(200);
    expect(doctors.body).toHaveLength(1);
    const doctorId = doctors.body[0].id;
    const schedule = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, start: '00:00', end: '24:00' }));
    expect((await call(host, 'PUT', `/v1/doctors/${doctorId}/clinics/${clinicId}`, { token, body: { schedule } })).status).toBe(200);

    const patient = await call<{ id: string }>(host, 'POST', '/v1/patients', { token, body: { firstName: 'Kiran', lastName: 'Rao', mobileNumber: '+919811100000' } });
    expect(patient.status).toBe(201);
    const medicines = await call<{ items: { id: string; scope: string }[] }>(host, 'GET', '/v1/medicines?search=paracetamol', { token });
    expect(medicines.body.items[0]).toMatchObject({ scope: 'global' });

    const startsAt = new Date(Date.now() + 24 * 3600_000).toISOString().replace(/T.*/, 'T04:30:00.000Z');
    const booking = { clinicId, patientId: patient.body.id, doctorId, startsAt, durationMinutes: 15 };
    const appointment = await call<{ id: string }>(host, 'POST', '/v1/appointments', { token, body: booking });
    expect(appointment.status).toBe(201);
    expect((await call(host, 'POST', '/v1/appointments', { token, body: booking })).status).toBe(409);

    const prescription = await call<{ id: string; items: unknown[] }>(host, 'POST', '/v1/prescriptions', {
      token,
      body: {
        appointmentId: appointment.body.id,
        diagnosis: 'Viral fever',
        items: [{ medicineId: medicines.body.items[0].id, dosage: '500 mg', frequency: '1-0-1', duration: '3 days' }],
      },
    });
    expect(prescription.status).toBe(201);
    expect(prescription.body.items).toHaveLength(1);
    expect((await call(host, 'POST', `/v1/prescriptions/${prescription.body.id}/finalize`, { token })).status).toBe(200);
    expect((await call(host, 'PATCH', `/v1/prescriptions/${prescription.body.id}`, { token, body: { notes: 'changed' } })).status).toBe(409);

    // A 2 MiB X-ray (twice the JSON body limit) streams through the gateway to the region's blob store.
    const xray = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2 * 1024 * 1024, 7)]);
    const query = new URLSearchParams({ patientId: patient.body.id, clinicId, kind: 'xray', fileName: 'bitewing.png' });
    const upload = await request(`http://127.0.0.1:${port}/v1/dental/attachments?${query}`, {
      method: 'POST',
      headers: { host: `${host}:${port}`, authorization: `Bearer ${token}`, 'content-type': 'image/png' },
      body: xray,
    });
    const uploaded = (await upload.body.json()) as { id: string; sizeBytes: number };
    expect(upload.statusCode).toBe(201);
    expect(uploaded.sizeBytes).toBe(xray.length);
    const link = await call<{ url: string }>(host, 'GET', `/v1/dental/attachments/${uploaded.id}/download-url`, { token });
    expect(link.status).toBe(200);
    const state = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8'));
    expect(link.body.url.startsWith(state.regions.in.blobUrl)).toBe(true);
    const download = await request(link.body.url);
    expect(download.statusCode).toBe(200);
    expect(Buffer.from(await download.body.arrayBuffer()).equals(xray)).toBe(true);

    // Another org (another region) sees none of it: 404 on its own host.
    const other = await signup('ca');
    for (const path of [`/v1/appointments/${appointment.body.id}`, `/v1/prescriptions/${prescription.body.id}`, `/v1/dental/attachments/${uploaded.id}`]) {
      expect((await call(other.host, 'GET', path, { token: other.token })).status).toBe(404);
    }
  });

  it('has the demo organizations', async () => {
    const apollo = await call<{ accessToken: string }>('console.localhost', 'POST', '/v1/auth/login', {
      body: { email: 'admin@apollo.example', password: 'Apollo-Demo-Pass-2025' },
    });
    expect(apollo.status).toBe(200);
    const clinics = await call<{ name: string }[]>('apollo.in.localhost', 'GET', '/v1/clinics', { token: apollo.body.accessToken });
    expect(clinics.body.map((c) => c.name).sort()).toEqual(['Delhi', 'Mumbai']);
    const token = apollo.body.accessToken;
    const doctors = await call<{ clinics: unknown[] }[]>('apollo.in.localhost', 'GET', '/v1/doctors', { token });
    expect(doctors.body[0].clinics).toHaveLength(2);
    const keys = await call<{ items: { code: string }[] }>('apollo.in.localhost', 'GET', '/v1/short-keys?code=fever', { token });
    expect(keys.body.items.map((k) => k.code)).toEqual(['FEVER']);
    const patients = await call<{ items: { firstName: string }[] }>('apollo.in.localhost', 'GET', '/v1/patients?search=%2B1202555010', { token });
    expect(patients.body.items.map((p) => p.firstName).sort()).toEqual(['Asha', 'Rohan']);
  });

  it('puts one org in read-only maintenance with a flag: the control plane to the gateway and the region, and back', async () => {
    const { platformAdmin } = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')).controlPlane as { platformAdmin: { email: string; password: string } };
    const admin = await call<{ accessToken: string }>('console.localhost', 'POST', '/v1/auth/login', { body: platformAdmin });
    expect(admin.status).toBe(200);
    const login = async (email: string, password: string) =>
      (await call<{ accessToken: string }>('console.localhost', 'POST', '/v1/auth/login', { body: { email, password } })).body.accessToken;
    const apollo = await login('admin@apollo.example', 'Apollo-Demo-Pass-2025');
    const mayo = await login('admin@mayo.example', 'Mayo-Demo-Pass-2025');
    const apolloOrg = (JSON.parse(Buffer.from(apollo.split('.')[1], 'base64url').toString()) as { org: string }).org;
    let n = 0;
    /** A new patient each time (a write that lands before the flag does is a patient of its own). */
    const patient = () => ({ firstName: 'Meera', lastName: 'Rao', mobileNumber: `+9198123${String(40000 + ++n).padStart(5, '0')}`, dateOfBirth: '1988-02-03', gender: 'female' });
    const setFlag = (enabled: boolean) =>
      call('console.localhost', 'PUT', '/v1/admin/flags/read_only_maintenance', {
        token: admin.body.accessToken,
        body: { enabled, strategies: [{ constraints: [{ contextName: 'orgId', operator: 'IN', values: [apolloOrg] }] }] },
      });
    /** Until apollo's write gets `status` (the gateway's next poll of the flags), or 20 s. */
    const apolloWriteUntil = async (status: number) => {
      const deadline = Date.now() + 20_000;
      let res = await call<{ code?: string }>('apollo.in.localhost', 'POST', '/v1/patients', { token: apollo, body: patient() });
      while (res.status !== status && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        res = await call<{ code?: string }>('apollo.in.localhost', 'POST', '/v1/patients', { token: apollo, body: patient() });
      }
      return res;
    };

    expect((await setFlag(true)).status).toBe(200);
    try {
      const refused = await apolloWriteUntil(503);
      expect(refused).toMatchObject({ status: 503, body: { code: 'MAINTENANCE' } });
      // Reads go on, and apollo's region sees the same flag for it.
      expect((await call('apollo.in.localhost', 'GET', '/v1/patients', { token: apollo })).status).toBe(200);
      // (The region polls on its own schedule: it may see the change a few seconds after the gateway.)
      const deadline = Date.now() + 20_000;
      let features = await call<Record<string, boolean>>('apollo.in.localhost', 'GET', '/v1/features', { token: apollo });
      while (features.body.read_only_maintenance !== true && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        features = await call<Record<string, boolean>>('apollo.in.localhost', 'GET', '/v1/features', { token: apollo });
      }
      expect(features.body.read_only_maintenance).toBe(true);
      // Another org writes as before.
      const other = await call('mayo.us.localhost', 'POST', '/v1/patients', { token: mayo, body: { ...patient(), mobileNumber: '+12025550111' } });
      expect(other.status).toBe(201);
    } finally {
      expect((await setFlag(false)).status).toBe(200);
    }
    expect((await apolloWriteUntil(201)).status).toBe(201);
  });

  it('catches mail in the outbox printed in the banner: a forgotten password is reset with the emailed link, through the gateway', async () => {
    expect(platform.output).toMatch(/mail\s+\S*outbox \(one \.eml per message/);
    const slug = `e2email${Date.now().toString(36)}`;
    const email = `${slug}@example.test`;
    const signup = await call('console.localhost', 'POST', '/v1/signup', {
      body: { organizationName: `Mail ${slug}`, slug, regionId: 'ca', adminName: 'E2E', adminEmail: email, adminPassword: 'correct horse battery staple', clinicName: 'Main' },
    });
    expect(signup.status).toBe(201);
    const mailsTo = () =>
      readdirSync(join(home, 'outbox'))
        .filter((f) => f.endsWith('.eml') && f.includes(`${slug}_at_example.test`))
        .sort()
        .map((f) => readFileSync(join(home, 'outbox', f), 'utf8').replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))));
    const waitForMail = async (subject: string) => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const found = mailsTo().find((m) => m.includes(`Subject: ${subject}`));
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no "${subject}" mail to ${email} in ${join(home, 'outbox')}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    await waitForMail('Welcome to MedGenie');

    const unknown = await call('console.localhost', 'POST', '/v1/auth/password-reset', { body: { email: `nobody-${email}` } });
    const known = await call('console.localhost', 'POST', '/v1/auth/password-reset', { body: { email } });
    expect(known.status).toBe(202);
    expect(unknown).toEqual(known);
    const mail = await waitForMail('Reset your MedGenie password');
    const link = /(http:\/\/console\.localhost:\d+)\/reset-password\?token=([A-Za-z0-9_-]{43})/.exec(mail);
    expect(link?.[1]).toBe(`http://console.localhost:${port}`);
    const confirm = () => call('console.localhost', 'POST', '/v1/auth/password-reset/confirm', { body: { token: link![2], newPassword: 'a new e2e passphrase 9' } });
    expect((await confirm()).status).toBe(204);
    expect((await confirm()).status).toBe(400);
    expect((await call('console.localhost', 'POST', '/v1/auth/login', { body: { email, password: 'a new e2e passphrase 9' } })).status).toBe(200);
  });

  it('takes a signed Stripe webhook on the console host: the subscription sets the org plan in its region', async () => {
    const state = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as { controlPlane: { stripeWebhookSecret: string } };
    const slug = `e2ebill${Date.now().toString(36)}`;
    const signup = await call<{ organizationId: string; accessToken: string }>('console.localhost', 'POST', '/v1/signup', {
      body: { organizationName: `Billing ${slug}`, slug, regionId: 'in', adminName: 'E2E', adminEmail: `${slug}@example.test`, adminPassword: 'correct horse battery staple', clinicName: 'Main' },
    });
    expect(signup.status).toBe(201);
    const orgId = signup.body.organizationId;
    const event = {
      id: `evt_e2e_${slug}`,
      object: 'event',
      type: 'customer.subscription.created',
      created: Math.floor(Date.now() / 1000),
      data: {
        object: {
          id: `sub_e2e_${slug}`,
          object: 'subscription',
          customer: `cus_e2e_${slug}`,
          status: 'active',
          cancel_at_period_end: false,
          metadata: { organizationId: orgId },
          items: { object: 'list', data: [{ id: 'si_e2e', object: 'subscription_item', quantity: 1, current_period_end: Math.floor(Date.now() / 1000) + 30 * 86_400, price: { id: 'price_e2e', object: 'price', lookup_key: 'premium_inr_monthly', currency: 'inr', unit_amount: 999_900, recurring: { interval: 'month' } } }] },
        },
      },
    };
    const payload = JSON.stringify(event);
    const signature = new Stripe('sk_test_e2e_signing_only').webhooks.generateTestHeaderString({ payload, secret: state.controlPlane.stripeWebhookSecret });
    const post = (sig: string) =>
      request(`http://127.0.0.1:${port}/v1/billing/webhook`, { method: 'POST', headers: { host: `console.localhost:${port}`, 'content-type': 'application/json', 'stripe-signature': sig }, body: payload });
    const forged = await post(signature.replace(/v1=[0-9a-f]+/, `v1=${'0'.repeat(64)}`));
    expect(forged.statusCode).toBe(400);
    await forged.body.text();
    const res = await post(signature);
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toMatchObject({ outcome: 'applied' });
    // The plan reaches the org's region: its own view of the org says premium.
    const login = await call<{ accessToken: string }>('console.localhost', 'POST', '/v1/auth/login', { body: { email: `${slug}@example.test`, password: 'correct horse battery staple' } });
    const org = await call<{ plan: string }>(`${slug}.in.localhost`, 'GET', '/v1/organization', { token: login.body.accessToken });
    expect(org).toMatchObject({ status: 200, body: { plan: 'premium' } });
  });

  // Last: it takes region in down for a while.
  it('heals itself: region in’s Postgres killed (kill -9) comes back, its API restarts, and ca and the console keep serving', async () => {
    const login = async (email: string, password: string) => {
      const res = await call<{ accessToken: string }>('console.localhost', 'POST', '/v1/auth/login', { body: { email, password } });
      expect(res.status).toBe(200);
      return res.body.accessToken;
    };
    const apollo = await login('admin@apollo.example', 'Apollo-Demo-Pass-2025'); // region in
    const sunnybrook = await login('admin@sunnybrook.example', 'Sunnybrook-Demo-Pass-2025'); // region ca
    const state = readFileSync(join(home, 'state.json'), 'utf8');
    const supervisorLog = join(home, 'logs', 'supervisor.log');
    const logFrom = existsSync(supervisorLog) ? readFileSync(supervisorLog, 'utf8').length : 0;
    const logSince = () => (existsSync(supervisorLog) ? readFileSync(supervisorLog, 'utf8').slice(logFrom) : '');

    /** One request through the gateway; a hang (no answer within 30 s) fails the test. */
    const status = async (host: string, path: string, token?: string) => {
      const res = await request(`http://127.0.0.1:${port}${path}`, {
        headers: { host: `${host}:${port}`, ...(token ? { authorization: `Bearer ${token}` } : {}) },
        headersTimeout: 30_000,
        bodyTimeout: 30_000,
      });
      await res.body.text();
      return res.statusCode;
    };
    const inStatuses = new Set<number>();
    /** One round: ca and the console must answer 200 every time; in answers 200 or 503, never hangs. */
    const round = async () => {
      const [ca, consoleJwks, inRegion] = await Promise.all([
        status('sunnybrook.ca.localhost', '/v1/patients', sunnybrook),
        status('console.localhost', '/.well-known/jwks.json'),
        status('apollo.in.localhost', '/v1/patients', apollo),
      ]);
      expect({ ca, console: consoleJwks }).toEqual({ ca: 200, console: 200 });
      inStatuses.add(inRegion);
      expect([200, 503]).toContain(inRegion);
      return inRegion;
    };
    const until = async (what: string, done: () => Promise<boolean> | boolean, timeoutMs: number) => {
      const deadline = Date.now() + timeoutMs;
      while (!(await done())) {
        if (Date.now() > deadline) throw new Error(`not within ${timeoutMs / 1000} s: ${what}\nsupervisor log:\n${logSince()}\nnpm start:\n${platform.output.slice(-4000)}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    };
    expect(await round()).toBe(200);

    // Region in's Postgres dies (kill -9), and cannot start again until its configuration is
    // mended: the supervisor keeps retrying with a growing delay, and in answers 503 meanwhile.
    const dataDir = join(home, 'postgres', 'in', 'data');
    const pidOf = () => Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    const gone = (pid: number) => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    };
    const autoConf = join(dataDir, 'postgresql.auto.conf');
    const conf = readFileSync(autoConf, 'utf8');
    const oldPid = pidOf();
    appendFileSync(autoConf, 'this line is not valid\n');
    try {
      process.kill(oldPid, 'SIGKILL');
      await until(`Postgres (in) pid ${oldPid} gone`, () => gone(oldPid), 30_000);
      const failures = () => [...logSince().matchAll(/Postgres \(in\).* exited unexpectedly .*restarting it in ([\d.]+) s/g)].map((m) => Number(m[1]));
      await until('three failed starts of Postgres (in) reported', async () => (await round(), failures().length >= 3), 120_000);
      await until('region in answering 503 while its database is down', async () => (await round()) === 503, 60_000);
      // Backoff: each retry waits longer than the one before.
      const delays = failures();
      for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThan(delays[i - 1]);
    } finally {
      writeFileSync(autoConf, conf);
    }
    await until('region in answering 200 again', async () => (await round()) === 200, 120_000);
    expect(pidOf()).not.toBe(oldPid);
    // The supervisor notes the recovery on its own poll, which may come just after the region's first 200.
    await until('the supervisor reporting Postgres (in) back', () => /Postgres \(in\) answers again/.test(logSince()), 30_000);
    expect(inStatuses).toEqual(new Set([200, 503]));
    // Same ports, same URLs: state.json did not change.
    expect(readFileSync(join(home, 'state.json'), 'utf8')).toBe(state);

    // Region in's API dies: restarted on the same port; the rest keeps serving meanwhile.
    const apiPid = () => (JSON.parse(readFileSync(join(home, 'run.json'), 'utf8')) as { children: { name: string; pid: number }[] }).children.find((c) => c.name === 'regional-api-in')?.pid;
    const oldApi = apiPid();
    expect(oldApi).toBeGreaterThan(0);
    process.kill(oldApi as number, 'SIGKILL');
    await until('regional-api-in restarted', () => apiPid() !== oldApi, 60_000);
    await until('region in answering 200 after its API restarted', async () => (await round()) === 200, 120_000);
    await until('the supervisor reporting the API restarted', () => /regional-api-in .*exited unexpectedly \(SIGKILL\)/.test(logSince()), 30_000);
    expect(child.exitCode).toBeNull();
  }, 420_000);
});
