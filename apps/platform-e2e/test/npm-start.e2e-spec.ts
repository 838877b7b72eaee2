import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { request } from 'undici';
import { freePort } from '@medgenie/testing';

const ROOT = join(__dirname, '../../..');

/**
 * Boots the platform exactly as `npm start` does (scripts/start.js, in a temporary data
 * directory) and walks the public contract of DESIGN.md §9 through the gateway.
 */
describe('the platform as `npm start` runs it, through the gateway', () => {
  let child: ChildProcess;
  let home: string;
  let port: number;
  let output = '';

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'medgenie-e2e-home-'));
    port = await freePort();
    child = spawn(process.execPath, [join(ROOT, 'scripts/start.js')], {
      cwd: ROOT,
      env: { ...process.env, MEDGENIE_HOME: home, GATEWAY_PORT: String(port), MEDGENIE_SKIP_BUILD: '1', DATABASE_URL: '', REDIS_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "ready" within 240 s:\n${output}`)), 240_000);
      const onData = (d: Buffer) => {
        output += d.toString();
        if (/ready/.test(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
      child.once('exit', (code) => reject(new Error(`npm start exited (${code}) before ready:\n${output}`)));
    });
  }, 250_000);

  afterAll(async () => {
    if (child && child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGINT');
      });
    }
    rmSync(home, { recursive: true, force: true });
  }, 60_000);

  async function call<T = Record<string, unknown>>(host: string, method: string, path: string, options: { token?: string; body?: unknown } = {}) {
    const res = await request(`http://127.0.0.1:${port}${path}`, {
      method: method as 'GET',
      headers: {
        host: `${host}:${port}`,
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      body: options.body !== undefined ? JSON.stringify(options.body) : undefined,
    });
    const text = await res.body.text();
    return { status: res.statusCode, body: (text ? JSON.parse(text) : {}) as T };
  }

  it('walks the contract: signup in two regions, patients, isolation, errors', async () => {
    expect((await call('localhost', 'GET', '/healthz')).status).toBe(200);
    const state = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8'));
    expect(Object.keys(state.regions).sort()).toEqual(['ca', 'in', 'us']);
    for (const region of Object.values(state.regions) as Record<string, string>[]) {
      expect(Object.keys(region).sort()).toEqual(['apiUrl', 'blobUrl', 'databaseUrl']);
    }
    expect(Object.keys(state.controlPlane).sort()).toEqual(['apiUrl', 'databaseUrl']);

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

  it('has the demo organizations', async () => {
    const apollo = await call<{ accessToken: string }>('console.localhost', 'POST', '/v1/auth/login', {
      body: { email: 'admin@apollo.example', password: 'Apollo-Demo-Pass-2025' },
    });
    expect(apollo.status).toBe(200);
    const clinics = await call<{ name: string }[]>('apollo.in.localhost', 'GET', '/v1/clinics', { token: apollo.body.accessToken });
    expect(clinics.body.map((c) => c.name).sort()).toEqual(['Delhi', 'Mumbai']);
  });
});
