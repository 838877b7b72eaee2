import { connect } from 'node:net';
import Redis from 'ioredis';
import { request } from 'undici';
import { GATEWAY_ID_PATTERN } from '@medgenie/contracts';
import { REGISTRY_CHANNEL } from '../src/registry';
import { startPrivateRedis } from '@medgenie/testing';
import { startTestGateway, waitFor } from './support';

describe('gateway faults', () => {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

  it('answers 503 within a second for a region that is down, while other regions are unaffected, and recovers', async () => {
    const gw = await startTestGateway();
    try {
      const ca = gw.addOrg('ca');
      const us = gw.addOrg('us');
      expect((await gw.get(`${ca.slug}.ca.localhost`, '/v1/x')).status).toBe(200);
      const port = gw.regions.ca.port;
      await gw.regions.ca.stop();
      for (let i = 0; i < 5; i += 1) {
        const started = Date.now();
        const res = await gw.get(`${ca.slug}.ca.localhost`, '/v1/x');
        expect(res.status).toBe(503);
        expect(res.body).toMatchObject({ statusCode: 503, code: 'REGION_UNAVAILABLE' });
        expect(Date.now() - started).toBeLessThan(1_000);
        expect((await gw.get(`${us.slug}.us.localhost`, '/v1/x')).status).toBe(200);
      }
      await gw.regions.ca.start(port);
      expect(await waitFor(async () => (await gw.get(`${ca.slug}.ca.localhost`, '/v1/x')).status === 200)).toBe(true);
    } finally {
      await gw.close();
    }
  });

  it('answers 503 within a second once a slow region is marked down by its health probe', async () => {
    const gw = await startTestGateway();
    try {
      const org = gw.addOrg('in');
      gw.regions.in.mode = 'hang';
      // A few probes in a row time out (HEALTH_FAILURES): then the region is down for the gateway.
      expect(await waitFor(async () => (await gw.get(`${org.slug}.in.localhost`, '/v1/x')).status === 503, 5_000)).toBe(true);
      const started = Date.now();
      const res = await gw.get(`${org.slug}.in.localhost`, '/v1/x');
      expect(res.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(1_000);
      gw.regions.in.mode = 'up';
      expect(await waitFor(async () => (await gw.get(`${org.slug}.in.localhost`, '/v1/x')).status === 200)).toBe(true);
    } finally {
      await gw.close();
    }
  });

  it('reports how it sees each region to the control plane, and withdraws the report when it stops', async () => {
    const gw = await startTestGateway();
    const id = gw.gateway.gatewayId;
    const view = () => gw.cp.gatewayViews.get(id);
    try {
      expect(id).toMatch(GATEWAY_ID_PATTERN);
      expect(await waitFor(() => view()?.regions.ca?.routing === true, 10_000)).toBe(true);
      expect(Object.keys(view()!.regions).sort()).toEqual(['ca', 'in', 'us']);
      const port = gw.regions.ca.port;
      await gw.regions.ca.stop();
      expect(await waitFor(() => view()?.regions.ca?.routing === false, 10_000)).toBe(true);
      expect(view()!.regions.in).toMatchObject({ routing: true, ready: true });
      await gw.regions.ca.start(port);
      expect(await waitFor(() => view()?.regions.ca?.routing === true, 10_000)).toBe(true);
    } finally {
      await gw.close();
    }
    expect(view()).toBeUndefined();
  });

  it('keeps routing known orgs from its cache while the control plane is down', async () => {
    const gw = await startTestGateway({ CACHE_TTL_MS: '50' });
    try {
      const org = gw.addOrg('in');
      const token = await gw.tokenFor(org);
      expect((await gw.get(`${org.slug}.in.localhost`, '/v1/x', { token })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 100)); // the entry is now stale
      gw.cp.down = true;
      const res = await gw.get(`${org.slug}.in.localhost`, '/v1/x', { token });
      expect(res.status).toBe(200);
      // An org it has never seen cannot be resolved: a clear 503, not a hang.
      const unseen = gw.addOrg('in');
      expect((await gw.get(`${unseen.slug}.in.localhost`, '/v1/x')).status).toBe(503);
    } finally {
      await gw.close();
    }
  });

  it('shares the registry cache in Redis and drops entries on control-plane change events', async () => {
    const gw = await startTestGateway({ REDIS_URL: redisUrl, CACHE_TTL_MS: '60000' });
    const publisher = new Redis(redisUrl);
    try {
      expect(await waitFor(() => gw.gateway.registry.listening)).toBe(true);
      const org = gw.addOrg('ca');
      const host = `${org.slug}.ca.localhost`;
      expect((await gw.get(host, '/v1/x')).status).toBe(200);
      expect(await publisher.get(`mg:gw:host:${host}`)).toContain(org.organizationId);
      const lookups = gw.cp.lookups;
      expect((await gw.get(host, '/v1/x')).status).toBe(200);
      expect(gw.cp.lookups).toBe(lookups); // served from cache

      gw.cp.orgs.get(org.organizationId)!.status = 'suspended';
      await publisher.publish(REGISTRY_CHANNEL, JSON.stringify({ type: 'organization.changed', organizationId: org.organizationId, slug: org.slug }));
      expect(await waitFor(async () => (await gw.get(host, '/v1/x')).status === 403)).toBe(true);

      // Negative caching: an unknown host is looked up once, then remembered; an event for a new org drops it.
      const slug = `new${Date.now().toString(36)}`;
      const lookupsBefore = gw.cp.lookups;
      expect((await gw.get(`${slug}.ca.localhost`, '/v1/x')).status).toBe(404);
      expect((await gw.get(`${slug}.ca.localhost`, '/v1/x')).status).toBe(404);
      expect(gw.cp.lookups).toBe(lookupsBefore + 1);
      const newcomer = gw.addOrg('ca');
      newcomer.slug = slug;
      await publisher.publish(REGISTRY_CHANNEL, JSON.stringify({ type: 'organization.changed', organizationId: newcomer.organizationId, slug }));
      expect(await waitFor(async () => (await gw.get(`${slug}.ca.localhost`, '/v1/x')).status === 200)).toBe(true);

      // A custom domain asked for before it was verified is remembered as nobody's; the event of its
      // verification names it, and the gateway forgets that at once (not after the negative TTL).
      const domain = `clinic-${Date.now().toString(36)}.example.org`;
      expect((await gw.get(domain, '/v1/x')).status).toBe(404);
      expect((await gw.get(domain, '/v1/x')).status).toBe(404);
      gw.cp.customDomains.set(domain, newcomer.organizationId);
      expect((await gw.get(domain, '/v1/x')).status).toBe(404); // still the cached answer
      await publisher.publish(REGISTRY_CHANNEL, JSON.stringify({ type: 'organization.changed', organizationId: newcomer.organizationId, slug, domains: [domain] }));
      expect(await waitFor(async () => (await gw.get(domain, '/v1/x')).status === 200)).toBe(true);
    } finally {
      publisher.disconnect();
      await gw.close();
    }
  });

  it('goes on routing without multi-second stalls when Redis is down', async () => {
    const gw = await startTestGateway({ REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_RPS: '1000', RATE_LIMIT_BURST: '1000' });
    try {
      const org = gw.addOrg('us');
      const started = Date.now();
      for (let i = 0; i < 20; i += 1) expect((await gw.get(`${org.slug}.us.localhost`, '/v1/x')).status).toBe(200);
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await gw.close();
    }
  });
  it('goes on answering at full speed while Redis hangs (accepts, never answers), and uses it again once it is back', async () => {
    const redis = await startPrivateRedis();
    const gw = await startTestGateway({ REDIS_URL: redis.url, RATE_LIMIT_RPS: '1000', RATE_LIMIT_BURST: '1000' });
    try {
      const org = gw.addOrg('us');
      const token = await gw.tokenFor(org);
      const host = `${org.slug}.us.localhost`;
      const signedIn = (timeoutMs: number) =>
        request(`${gw.url}/v1/x`, { headers: { host, authorization: `Bearer ${token}` }, headersTimeout: timeoutMs }).then(async (res) => {
          await res.body.text();
          return res.statusCode;
        });
      expect(await signedIn(2_000)).toBe(200);
      expect(await waitFor(async () => (await redis.client.keys('mg:rl:*')).length > 0)).toBe(true); // the limits live in Redis

      redis.freeze();
      // Each request may wait on Redis once at most; 30 in a row, each allowed 2 s by the client,
      // must come back in far less than 30 Redis timeouts.
      const started = Date.now();
      const answers: number[] = [];
      for (let i = 0; i < 30; i += 1) answers.push(await signedIn(2_000));
      expect(answers.every((status) => status === 200)).toBe(true);
      expect(Date.now() - started).toBeLessThan(3_000);

      redis.thaw();
      await redis.client.flushdb();
      expect(await waitFor(async () => (await signedIn(2_000)) === 200 && (await redis.client.keys('mg:rl:*')).length > 0, 10_000)).toBe(true);
    } finally {
      redis.thaw();
      await gw.close();
      await redis.stop();
    }
  });

  it('answers known orgs from its cache at once while the control plane hangs, refreshing in the background', async () => {
    const gw = await startTestGateway({ CACHE_TTL_MS: '50', CONTROL_PLANE_TIMEOUT_MS: '5000' });
    try {
      const org = gw.addOrg('ca');
      const token = await gw.tokenFor(org);
      const host = `${org.slug}.ca.localhost`;
      expect((await gw.get(host, '/v1/x', { token })).status).toBe(200);
      gw.cp.hang = true;
      await new Promise((r) => setTimeout(r, 100)); // the entry is stale now
      // The client gives up after 2 s, well before the control plane's 5 s timeout: only an
      // answer from the cache can arrive in time.
      for (let i = 0; i < 5; i += 1) {
        const res = await request(`${gw.url}/v1/x`, { headers: { host, authorization: `Bearer ${token}` }, headersTimeout: 2_000 });
        await res.body.text();
        expect(res.statusCode).toBe(200);
      }
      gw.cp.hang = false;
    } finally {
      await gw.close();
    }
  });

  it("never opens a region's breaker for what clients do to their own requests", async () => {
    const gw = await startTestGateway({ BREAKER_THRESHOLD: '1', BODY_IDLE_TIMEOUT_MS: '300', BODY_GRACE_MS: '300' });
    try {
      const noisy = gw.addOrg('in');
      const calm = gw.addOrg('in');
      const token = await gw.tokenFor(noisy);
      const host = `${noisy.slug}.in.localhost`;
      const send = (text: string, then?: (s: ReturnType<typeof connect>) => void) =>
        new Promise<string>((resolve) => {
          const s = connect(gw.port, '127.0.0.1');
          let out = '';
          s.on('data', (d) => (out += d));
          s.on('error', () => undefined);
          s.on('close', () => resolve(out));
          s.write(text);
          then?.(s);
          setTimeout(() => s.destroy(), 1_500);
        });
      const auth = `authorization: Bearer ${token}\r\n`;
      const answers = await Promise.all([
        send(`POST /v1/x HTTP/1.1\r\nhost: ${host}\r\n${auth}content-length: 2\r\nexpect: 100-continue\r\n\r\n`, (s) => setTimeout(() => s.write('{}'), 100)),
        send(`GET /v1/x HTTP/1.1\r\nhost: ${host}\r\n${auth}content-length: 5\r\n\r\nhello`),
        send(`GET /v1/x HTTP/1.1\r\nhost: ${host}\r\n${auth}connection: upgrade\r\nupgrade: websocket\r\n\r\n`),
        send(`POST /v1/x HTTP/1.1\r\nhost: ${host}\r\n${auth}content-length: 100000\r\n\r\n${'x'.repeat(70_000)}`, (s) => setTimeout(() => s.destroy(), 50)),
        send(`POST /v1/x HTTP/1.1\r\nhost: ${host}\r\n${auth}content-length: 10\r\n\r\n{`, (s) => setTimeout(() => s.destroy(), 50)),
        send(`POST /v1/x HTTP/1.1\r\nhost: ${host}\r\n${auth}content-length: 10\r\n\r\n{`),
      ]);
      expect(answers[0]).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
      expect(answers[1]).toMatch(/^HTTP\/1\.1 200 /);
      expect(answers[2]).toMatch(/^HTTP\/1\.1 200 /);
      expect(answers[5]).toMatch(/^HTTP\/1\.1 408 /);
      // With a breaker that opens on the first upstream fault, the region still serves everyone.
      for (const org of [noisy, calm]) expect((await gw.get(`${org.slug}.in.localhost`, '/v1/x')).status).toBe(200);
    } finally {
      await gw.close();
    }
  });

  it('never tells a client to retry a write that may have been applied, unless it carries an Idempotency-Key', async () => {
    const gw = await startTestGateway({ UPSTREAM_HEADERS_TIMEOUT_MS: '300', BREAKER_THRESHOLD: '100' });
    try {
      const org = gw.addOrg('us');
      const host = `${org.slug}.us.localhost`;
      gw.regions.us.mode = 'hang-requests'; // its probes pass, its requests never answer
      const post = await request(`${gw.url}/v1/patients`, { method: 'POST', headers: { host, 'content-type': 'application/json' }, body: '{}' });
      expect(post.statusCode).toBe(504);
      expect(post.headers['retry-after']).toBeUndefined();
      expect(await post.body.json()).toMatchObject({ code: 'UPSTREAM_OUTCOME_UNKNOWN' });
      const keyed = await request(`${gw.url}/v1/patients`, { method: 'POST', headers: { host, 'content-type': 'application/json', 'idempotency-key': 'k-1' }, body: '{}' });
      expect(keyed.statusCode).toBe(504);
      expect(keyed.headers['retry-after']).toBe('1');
      await keyed.body.text();
      const read = await request(`${gw.url}/v1/patients`, { headers: { host } });
      expect(read.statusCode).toBe(504);
      expect(read.headers['retry-after']).toBe('1');
      await read.body.text();
    } finally {
      gw.regions.us.mode = 'up';
      await gw.close();
    }
  });

  it("caps each org's concurrent upstream requests (503 with Retry-After past a bounded wait), leaving other orgs their share", async () => {
    const gw = await startTestGateway({ ORG_MAX_CONCURRENT: '2', ORG_QUEUE_TIMEOUT_MS: '200', UPSTREAM_HEADERS_TIMEOUT_MS: '30000' });
    try {
      const busy = gw.addOrg('in');
      const calm = gw.addOrg('in');
      const [tBusy, tCalm] = [await gw.tokenFor(busy), await gw.tokenFor(calm)];
      const held = [1, 2].map(() => gw.get(`${busy.slug}.in.localhost`, '/v1/slow', { token: tBusy }));
      await new Promise((r) => setTimeout(r, 100));
      const over = await gw.get(`${busy.slug}.in.localhost`, '/v1/slow', { token: tBusy });
      expect(over.status).toBe(503);
      expect(over.body).toMatchObject({ code: 'ORGANIZATION_BUSY' });
      expect(over.headers['retry-after']).toBe('1');
      expect((await gw.get(`${calm.slug}.in.localhost`, '/v1/x', { token: tCalm })).status).toBe(200);
      gw.regions.in.openGate();
      expect((await Promise.all(held)).map((r) => r.status)).toEqual([200, 200]);
      expect((await gw.get(`${busy.slug}.in.localhost`, '/v1/x', { token: tBusy })).status).toBe(200);
    } finally {
      gw.regions.in.openGate();
      await gw.close();
    }
  });

  it("answers 503 when a region's connections are all taken, and its health probe does not queue behind them", async () => {
    const gw = await startTestGateway({ UPSTREAM_CONNECTIONS: '2', UPSTREAM_QUEUE_TIMEOUT_MS: '200', ORG_MAX_CONCURRENT: '2', UPSTREAM_HEADERS_TIMEOUT_MS: '30000' });
    try {
      const [a, b, c] = [gw.addOrg('ca'), gw.addOrg('ca'), gw.addOrg('ca')];
      const held = [a, b].map((org) => gw.get(`${org.slug}.ca.localhost`, '/v1/slow'));
      await new Promise((r) => setTimeout(r, 600)); // several probe rounds while every connection is held
      const waited = await gw.get(`${c.slug}.ca.localhost`, '/v1/x');
      expect(waited.status).toBe(503);
      expect(waited.body).toMatchObject({ code: 'REGION_BUSY' }); // not REGION_UNAVAILABLE: the probes kept passing
      expect(waited.headers['retry-after']).toBe('1');
      gw.regions.ca.openGate();
      expect((await Promise.all(held)).map((r) => r.status)).toEqual([200, 200]);
      expect((await gw.get(`${c.slug}.ca.localhost`, '/v1/x')).status).toBe(200);
    } finally {
      gw.regions.ca.openGate();
      await gw.close();
    }
  });
});
