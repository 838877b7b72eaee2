import Redis from 'ioredis';
import { REGISTRY_CHANNEL } from '../src/registry';
import { startTestGateway } from './support';

const waitFor = async (predicate: () => Promise<boolean> | boolean, ms = 3_000) => {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await predicate()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return predicate();
};

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
      await new Promise((r) => setTimeout(r, 500)); // a few probes time out
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
});
