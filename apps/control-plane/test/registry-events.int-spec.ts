import Redis from 'ioredis';
import { REGISTRY_CHANNEL } from '../src/organizations/registry-events';
import { signupBody, startTestControlPlane, TestControlPlane } from './support';

describe('registry change events on Redis', () => {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  let cp: TestControlPlane;
  let subscriber: Redis;
  const events: Record<string, string>[] = [];

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
