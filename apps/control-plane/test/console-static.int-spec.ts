import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestControlPlane, TestControlPlane } from './support';

const INDEX = '<!doctype html><html lang="en"><head><title>MedGenie console</title><script type="module" src="/assets/index-abc123.js"></script></head><body><div id="root"></div></body></html>';

/** The console's build served by the control plane (`GET /` on the console host), beside the APIs. */
describe('the console, served by the control plane', () => {
  let cp: TestControlPlane;
  let dist: string;

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'medgenie-console-dist-'));
    mkdirSync(join(dist, 'assets'));
    writeFileSync(join(dist, 'index.html'), INDEX);
    writeFileSync(join(dist, 'assets/index-abc123.js'), 'console.log("console");\n');
    cp = await startTestControlPlane({ CONSOLE_DIST_DIR: dist });
  });
  afterAll(async () => {
    await cp?.close();
    rmSync(dist, { recursive: true, force: true });
  });

  it('answers / with the app, uncached, under a strict Content-Security-Policy', async () => {
    const res = await cp.client.get<string>('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toBe(INDEX);
    expect(res.headers['cache-control']).toBe('no-cache');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(res.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' });
  });

  it.each(['/signup', '/signin', '/organizations', '/organizations/5b8f0c1e-7a6b-4c3d-9e2f-1a2b3c4d5e6f', '/flags?name=x'])('answers the deep link %s with the app', async (path) => {
    const res = await cp.client.get<string>(path);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toBe(INDEX);
  });

  it('serves assets with long cache headers, and a missing one is a 404, not the app', async () => {
    const asset = await cp.client.get<string>('/assets/index-abc123.js');
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['x-content-type-options']).toBe('nosniff');
    const missing = await cp.client.get<{ statusCode: number }>('/assets/nope-000.js');
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/application\/json/);
    expect((await cp.client.get('/favicon.ico')).status).toBe(404);
    expect((await cp.client.get('/assets/../index.html')).status).not.toBe(200);
  });

  it('leaves the API paths alone: their routes answer, and unknown ones keep their JSON 404', async () => {
    const regions = await cp.client.get<unknown[]>('/v1/regions');
    expect(regions.status).toBe(200);
    expect(Array.isArray(regions.body)).toBe(true);
    expect((await cp.client.get<{ keys: unknown[] }>('/.well-known/jwks.json')).body.keys).toBeDefined();
    expect((await cp.client.get<{ openapi: string }>('/openapi.json')).body.openapi).toMatch(/^3\./);
    expect((await cp.client.get('/healthz')).status).toBe(200);
    for (const path of ['/v1/nothing-here', '/v1/auth/login', '/internal/v1/nothing', '/api/client/nothing', '/.well-known/nothing', '/readyz/x', '/v1']) {
      const res = await cp.client.get<{ statusCode: number; message: string }>(path);
      expect({ path, status: res.status, type: res.headers['content-type'] }).toEqual({ path, status: 404, type: expect.stringMatching(/application\/json/) });
      expect(res.body.statusCode).toBe(404);
    }
    // An API route still needs its token.
    expect((await cp.client.get('/v1/admin/organizations')).status).toBe(401);
    // Other methods than GET are not the app's.
    expect((await cp.client.post('/organizations', {})).status).toBe(404);
  });
});

describe('the console before it is built', () => {
  let cp: TestControlPlane;
  const dist = join(tmpdir(), `medgenie-console-missing-${process.pid}`);
  beforeAll(async () => {
    cp = await startTestControlPlane({ CONSOLE_DIST_DIR: dist });
  });
  afterAll(() => cp?.close());

  it('starts anyway: / and deep links answer 503 CONSOLE_NOT_BUILT, the APIs serve', async () => {
    for (const path of ['/', '/organizations']) {
      const res = await cp.client.get<{ statusCode: number; code: string; message: string }>(path);
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ statusCode: 503, code: 'CONSOLE_NOT_BUILT', message: expect.stringContaining('npm run build') });
    }
    expect((await cp.client.get('/v1/regions')).status).toBe(200);
  });

  it('serves the build once it exists, without a restart', async () => {
    mkdirSync(join(dist, 'assets'), { recursive: true });
    writeFileSync(join(dist, 'index.html'), INDEX);
    try {
      const res = await cp.client.get<string>('/');
      expect(res.status).toBe(200);
      expect(res.body).toBe(INDEX);
    } finally {
      rmSync(dist, { recursive: true, force: true });
    }
  });
});
