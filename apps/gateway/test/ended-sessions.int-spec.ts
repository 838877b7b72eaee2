import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { SESSION_REVOCATIONS_CHANNEL, SESSION_REVOCATIONS_KEY } from '@medgenie/contracts';
import { startTestGateway, TestGateway, waitFor } from './support';

/**
 * Ended sessions at the gateway (issue 14): a token of a session the control plane ended is refused
 * here (401) before it reaches a region, whether the session ended before the gateway started (the
 * Redis sorted set) or while it runs (the announcement); every other session and org goes on.
 */
describe('ended sessions at the gateway', () => {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  let redis: Redis;
  let gw: TestGateway;
  const endedBeforeStart = randomUUID();
  const expiredLongAgo = randomUUID();

  beforeAll(async () => {
    redis = new Redis(redisUrl);
    await redis.zadd(SESSION_REVOCATIONS_KEY, Date.now() + 60_000, endedBeforeStart, Date.now() - 60_000, expiredLongAgo);
    gw = await startTestGateway({ REDIS_URL: redisUrl });
    expect(await waitFor(() => gw.gateway.registry.listening)).toBe(true);
  });
  afterAll(async () => {
    await redis?.zrem(SESSION_REVOCATIONS_KEY, endedBeforeStart, expiredLongAgo);
    redis?.disconnect();
    await gw?.close();
  });

  it('refuses a session that ended before it started, on org and api hosts, and no other', async () => {
    const org = gw.addOrg('in');
    const host = `${org.slug}.in.localhost`;
    const ended = await gw.tokenFor(org, { sid: endedBeforeStart });
    expect(await waitFor(async () => (await gw.get(host, '/v1/patients', { token: ended })).status === 401)).toBe(true);
    const refused = await gw.get(host, '/v1/patients', { token: ended });
    expect(refused.body.message).toMatch(/session has ended/);
    expect((await gw.get('api.localhost', '/v1/patients', { token: ended })).status).toBe(401);
    const regionCalls = gw.regions.in.requests;
    expect((await gw.get(host, '/v1/patients', { token: ended })).status).toBe(401);
    expect(gw.regions.in.requests).toBe(regionCalls); // refused before the region

    expect((await gw.get(host, '/v1/patients', { token: await gw.tokenFor(org) })).status).toBe(200);
    // A session whose tokens have all expired is not held against anyone.
    expect((await gw.get(host, '/v1/patients', { token: await gw.tokenFor(org, { sid: expiredLongAgo }) })).status).toBe(200);
  });

  it('refuses a session announced while it runs, within a moment, and leaves the registry cache alone', async () => {
    const a = gw.addOrg('in');
    const b = gw.addOrg('ca');
    const session = randomUUID();
    const token = await gw.tokenFor(a, { sid: session });
    const other = await gw.tokenFor(b);
    const hostA = `${a.slug}.in.localhost`;
    const hostB = `${b.slug}.ca.localhost`;
    expect((await gw.get(hostA, '/v1/patients', { token })).status).toBe(200);
    expect((await gw.get(hostB, '/v1/patients', { token: other })).status).toBe(200);
    const lookups = gw.cp.lookups;

    await redis.publish(SESSION_REVOCATIONS_CHANNEL, 'not json');
    await redis.publish(SESSION_REVOCATIONS_CHANNEL, JSON.stringify({ sessionIds: 'everyone', expiresAtMs: Date.now() + 60_000 }));
    await redis.publish(SESSION_REVOCATIONS_CHANNEL, JSON.stringify({ sessionIds: [session], expiresAtMs: Date.now() + 60_000 }));
    expect(await waitFor(async () => (await gw.get(hostA, '/v1/patients', { token })).status === 401, 1_000)).toBe(true);

    expect((await gw.get(hostB, '/v1/patients', { token: other })).status).toBe(200);
    expect((await gw.get(hostA, '/v1/patients', { token: await gw.tokenFor(a) })).status).toBe(200);
    expect(gw.cp.lookups).toBe(lookups); // the announcements did not drop cached orgs
  });
});
