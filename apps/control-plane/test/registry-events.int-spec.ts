import Redis from 'ioredis';
import { REGISTRY_CHANNEL } from '../src/organizations/registry-events';
import { signupBody, startTestControlPlane, TestControlPlane } from './support';

describe('registry change events on Redis', () => {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  let cp: TestControlPlane;
  let subscriber: Redis;
  const events: Record<string, unknown>[] = [];

  beforeAll(async () => {
    subscriber = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
    await subscriber.subscribe(REGISTRY_CHANNEL);
    subscriber.on('message', (_channel, message) => events.push(JSON.parse(message)));
    cp = await startTestControlPlane({ REDIS_URL: redisUrl });
  });
  afterAll(async () => {
    await cp?.close();
    subscriber?.disconnect();
  });

  const waitFor = async (predicate: () => boolean) => {
    const deadline = Date.now() + 3_000;
    while (!predicate() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return predicate();
  };

  it('publishes when an org becomes active and when a platform admin suspends it', async () => {
    const res = await cp.client.post<{ organizationId: string }>('/v1/signup', signupBody({ regionId: 'ca' }));
    expect(res.status).toBe(201);
    const orgId = res.body.organizationId;
    expect(await waitFor(() => events.some((e) => e.organizationId === orgId && e.status === 'provisioning'))).toBe(true);
    expect(await waitFor(() => events.some((e) => e.organizationId === orgId && e.status === 'active'))).toBe(true);

    const admin = await cp.client.post<{ accessToken: string }>('/v1/auth/login', cp.platformAdmin);
    await cp.client.post(`/v1/admin/organizations/${orgId}/suspend`, {}, { token: admin.body.accessToken });
    expect(await waitFor(() => events.some((e) => e.organizationId === orgId && e.status === 'suspended'))).toBe(true);
    expect(events.find((e) => e.organizationId === orgId)).toMatchObject({ type: 'organization.changed', regionId: 'ca' });
  });

  it('names the custom domains a change starts or stops serving, so gateways forget "unknown host" for them', async () => {
    const res = await cp.client.post<{ organizationId: string }>('/v1/signup', signupBody({ regionId: 'in' }));
    const orgId = res.body.organizationId;
    const admin = await cp.client.post<{ accessToken: string }>('/v1/auth/login', cp.platformAdmin);
    const token = admin.body.accessToken;
    const first = `first-${Date.now().toString(36)}.example.org`;
    const second = `second-${Date.now().toString(36)}.example.org`;
    const withDomains = () => events.filter((e) => e.organizationId === orgId && Array.isArray(e.domains)).map((e) => [...(e.domains as string[])].sort());

    expect((await cp.client.patch(`/v1/admin/organizations/${orgId}/domains`, { domains: [first] }, { token })).status).toBe(200);
    expect(await waitFor(() => withDomains().length === 1)).toBe(true);
    expect((await cp.client.post(`/v1/admin/organizations/${orgId}/domains/${first}/verify`, { force: true }, { token })).status).toBe(200);
    expect(await waitFor(() => withDomains().length === 2)).toBe(true);
    // Replaced: the event names the domain that stops serving and the one that starts.
    expect((await cp.client.patch(`/v1/admin/organizations/${orgId}/domains`, { domains: [second] }, { token })).status).toBe(200);
    expect(await waitFor(() => withDomains().length === 3)).toBe(true);
    expect(withDomains()).toEqual([[first], [first], [first, second].sort()]);
  });

  it('keeps working when Redis is down: changes still apply, publishing is skipped', async () => {
    const offline = await startTestControlPlane({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const started = Date.now();
      const res = await offline.client.post('/v1/signup', signupBody());
      expect(res.status).toBe(201);
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      await offline.close();
    }
  });
});
