import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';

/** node:http, because undici will not send a Connection header naming other headers. */
function rawGet(port: number, headers: Record<string, string>, path = '/v1/patients?search=x'): Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}
import { startTestGateway, TestGateway } from './support';

describe('gateway rules', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ RATE_LIMIT_RPS: '0.2', RATE_LIMIT_BURST: '5', ANON_RATE_LIMIT_RPS: '1', ANON_RATE_LIMIT_BURST: '10' });
  });
  afterAll(() => gw?.close());

  it('answers /healthz itself', async () => {
    expect((await gw.get('anything.example', '/healthz')).status).toBe(200);
  });

  it("routes an org host to its region, with X-Forwarded-*, the request id, and no hop-by-hop headers", async () => {
    const org = gw.addOrg('in');
    const res = await rawGet(gw.port, {
      host: `${org.slug}.in.localhost:8080`,
      authorization: `Bearer ${await gw.tokenFor(org)}`,
      'x-request-id': 'req-gw-1',
      connection: 'keep-alive, x-secret-hop',
      'x-secret-hop': 'drop me',
      'proxy-authorization': 'Basic x',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ region: 'in', url: '/v1/patients?search=x' });
    const headers = res.body.headers as Record<string, string>;
    expect(headers).toMatchObject({ 'x-request-id': 'req-gw-1', 'x-forwarded-host': `${org.slug}.in.localhost:8080`, 'x-forwarded-proto': 'http' });
    expect(headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(headers['x-secret-hop']).toBeUndefined();
    expect(headers['proxy-authorization']).toBeUndefined();
    expect(res.headers['x-request-id']).toBe('req-gw-1');
    expect(res.headers['x-upstream']).toBe('in');
    expect(res.headers['keep-alive']).not.toBe('timeout=5'); // the upstream's own, hop-by-hop
  });

  it('routes the console host to the control plane', async () => {
    const res = await gw.get('console.localhost:8080', '/v1/signup');
    expect(res.body).toMatchObject({ controlPlane: true });
  });

  it('never proxies /internal: 404 on every host', async () => {
    const org = gw.addOrg('in');
    const before = gw.regions.in.requests;
    for (const host of [`${org.slug}.in.localhost`, 'console.localhost']) {
      for (const path of ['/internal/v1/organizations', '/internal', '/internal?x=1']) {
        const res = await gw.get(host, path);
        expect(res.status).toBe(404);
      }
    }
    expect(gw.regions.in.requests).toBe(before);
  });

  it('answers 404 for an unknown org', async () => {
    const res = await gw.get('nobody.ca.localhost', '/v1/patients');
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ statusCode: 404, code: 'ORGANIZATION_NOT_FOUND' });
  });

  it('answers 421 when the host is under another region than the org', async () => {
    const org = gw.addOrg('in');
    const res = await gw.get(`${org.slug}.ca.localhost`, '/v1/patients');
    expect(res.status).toBe(421);
  });

  it("names the org's own host in the 421, in the form the request used (local or production)", async () => {
    const org = gw.addOrg('in');
    const before = gw.regions.ca.requests + gw.regions.in.requests;
    const local = await gw.get(`${org.slug}.ca.localhost:8080`, '/v1/patients?search=x');
    expect(local.status).toBe(421);
    expect(local.body).toMatchObject({
      code: 'MISDIRECTED_REQUEST',
      message: `This organization is served at ${org.slug}.in.localhost, not ${org.slug}.ca.localhost`,
      location: `${org.slug}.in.localhost`,
    });
    // Scheme-relative: the client keeps its own scheme, and the port and path it asked for.
    expect(local.headers.location).toBe(`//${org.slug}.in.localhost:8080/v1/patients?search=x`);

    const prod = await gw.get(`${org.slug}.medgenie.ca`, '/v1/patients');
    expect(prod.status).toBe(421);
    expect(prod.body).toMatchObject({ message: `This organization is served at ${org.slug}.medgenie.in, not ${org.slug}.medgenie.ca`, location: `${org.slug}.medgenie.in` });
    expect(prod.headers.location).toBe(`//${org.slug}.medgenie.in/v1/patients`);

    // The host it names is the one that serves it.
    expect((await gw.get(`${org.slug}.in.localhost:8080`, '/v1/patients')).status).toBe(200);
    expect(gw.regions.ca.requests + gw.regions.in.requests).toBe(before + 1);
  });

  it('answers 403 for a suspended org', async () => {
    const org = gw.addOrg('ca', 'suspended');
    const res = await gw.get(`${org.slug}.ca.localhost`, '/v1/patients');
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('ORGANIZATION_NOT_ACTIVE');
  });

  it("answers 403 to a token of another org or region, and 401 to a forged token", async () => {
    const org = gw.addOrg('us');
    const other = gw.addOrg('us');
    expect((await gw.get(`${org.slug}.us.localhost`, '/v1/patients', { token: await gw.tokenFor(other) })).status).toBe(403);
    expect((await gw.get(`${org.slug}.us.localhost`, '/v1/patients', { token: await gw.tokenFor(org, { region: 'ca' }) })).status).toBe(403);
    const forged = (await gw.tokenFor(org)).replace(/.{8}$/, 'AAAAAAAA');
    expect((await gw.get(`${org.slug}.us.localhost`, '/v1/patients', { token: forged })).status).toBe(401);
  });

  it("routes api.<domain> by the token's org", async () => {
    const org = gw.addOrg('ca');
    const res = await gw.get('api.localhost', '/v1/patients', { token: await gw.tokenFor(org) });
    expect(res.body).toMatchObject({ region: 'ca' });
    expect((await gw.get('api.localhost', '/v1/patients')).status).toBe(401);
  });

  it('limits each org to its rate (429 with Retry-After), without touching other orgs', async () => {
    const busy = gw.addOrg('in');
    const calm = gw.addOrg('in');
    const token = await gw.tokenFor(busy);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i += 1) statuses.push((await gw.get(`${busy.slug}.in.localhost`, '/v1/patients', { token })).status);
    expect(statuses.filter((s) => s === 200).length).toBe(5);
    const limited = await gw.get(`${busy.slug}.in.localhost`, '/v1/patients', { token });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await gw.get(`${calm.slug}.in.localhost`, '/v1/patients', { token: await gw.tokenFor(calm) })).status).toBe(200);
  });

  it('gives anonymous traffic its own budget per address, which cannot drain the org budget of its users', async () => {
    const org = gw.addOrg('in');
    const host = `${org.slug}.in.localhost`;
    const fromAttacker = new Agent({ localAddress: '127.0.0.2' });
    try {
      const anonymous: number[] = [];
      for (let i = 0; i < 30; i += 1) {
        const res = await request(`${gw.url}/v1/patients`, { dispatcher: fromAttacker, headers: { host, ...(i % 3 === 0 ? { authorization: 'Bearer forged' } : {}) } });
        await res.body.text();
        anonymous.push(res.statusCode);
      }
      expect(anonymous.filter((s) => s === 429).length).toBeGreaterThanOrEqual(15);
      // The org's budget (5 in this suite) is untouched: its users get all of it.
      const token = await gw.tokenFor(org);
      for (let i = 0; i < 5; i += 1) expect((await gw.get(host, '/v1/patients', { token })).status).toBe(200);
      // Another address has its own anonymous budget.
      expect((await gw.get(host, '/v1/patients')).status).toBe(200);
    } finally {
      await fromAttacker.close();
    }
  });

  it('decides on the normalized path and forwards that same path', async () => {
    const org = gw.addOrg('in');
    const host = `${org.slug}.in.localhost`;
    const before = gw.regions.in.requests;
    for (const path of ['/%69nternal/v1/organizations', '/v1/../internal/v1/x', '/v1/%2e%2e/internal', '//internal/v1/x', '/INTERNAL/v1/x', '/v1/..%2Finternal']) {
      expect([400, 404]).toContain((await rawGet(gw.port, { host }, path)).status);
    }
    const absolute = await rawGet(gw.port, { host }, `http://${host}/internal/v1/organizations`);
    expect(absolute.status).toBe(404);
    expect(gw.regions.in.requests).toBe(before);
    const res = await rawGet(gw.port, { host }, '/v1/./%70atients/../patients?search=a%2Fb');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ url: '/v1/patients?search=a%2Fb' });
  });

  it('streams large bodies through and refuses bodies over the limit with 413', async () => {
    const small = await startTestGateway({ BODY_LIMIT_BYTES: String(64 * 1024) });
    try {
      const org = small.addOrg('in');
      const host = `${org.slug}.in.localhost`;
      const ok = await request(`${small.url}/v1/upload`, { method: 'POST', headers: { host, 'content-type': 'application/octet-stream' }, body: Buffer.alloc(60 * 1024) });
      expect(ok.statusCode).toBe(200);
      expect(((await ok.body.json()) as { bodyBytes: number }).bodyBytes).toBe(60 * 1024);
      const big = await request(`${small.url}/v1/upload`, { method: 'POST', headers: { host, 'content-type': 'application/json' }, body: Buffer.alloc(100 * 1024) });
      expect(big.statusCode).toBe(413);
      await big.body.text();
      // Chunked, no content-length: stopped while streaming.
      async function* chunks() {
        for (let i = 0; i < 20; i += 1) yield Buffer.alloc(8 * 1024);
      }
      const chunked = await request(`${small.url}/v1/upload`, { method: 'POST', headers: { host }, body: Readable.from(chunks()) });
      expect(chunked.statusCode).toBe(413);
      await chunked.body.text();
    } finally {
      await small.close();
    }
  });
});
