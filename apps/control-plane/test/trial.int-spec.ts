import { signupBody, startTestControlPlane, TestControlPlane } from './support';

const DAY = 86_400_000;

/** The trial's end is the control plane's (signup + 30 days), pushed to the region's mirror; the region enforces it (apps/regional-api/test/trial.int-spec.ts). */
describe('the trial in the registry', () => {
  let cp: TestControlPlane;
  let adminToken: string;
  beforeAll(async () => {
    cp = await startTestControlPlane();
    adminToken = (await cp.client.post<{ accessToken: string }>('/v1/auth/login', cp.platformAdmin)).body.accessToken;
  });
  afterAll(() => cp?.close());

  it('ends 30 days after signup, reaches the region, and disappears on a paid plan', async () => {
    const started = Date.now();
    const body = signupBody({ regionId: 'in' });
    const res = await cp.client.post<{ organizationId: string }>('/v1/signup', body);
    expect(res.status).toBe(201);
    const id = res.body.organizationId;
    const org = await cp.client.get<{ plan: string; trialEndsAt: string | null }>(`/v1/admin/organizations/${id}`, { token: adminToken });
    expect(org.body.plan).toBe('trial');
    const endsAt = new Date(org.body.trialEndsAt!).getTime();
    expect(endsAt).toBeGreaterThanOrEqual(started + 30 * DAY - 1000);
    expect(endsAt).toBeLessThanOrEqual(Date.now() + 30 * DAY + 1000);
    const provision = cp.regions.in.calls.find((c) => c.method === 'POST' && c.body.organizationId === id);
    expect(provision?.body.trialEndsAt).toBe(org.body.trialEndsAt);

    const paid = await cp.client.patch<{ plan: string; trialEndsAt: string | null }>(`/v1/admin/organizations/${id}/plan`, { plan: 'basic' }, { token: adminToken });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ plan: 'basic', trialEndsAt: null });
    const sync = cp.regions.in.calls.filter((c) => c.method === 'PATCH' && c.url.endsWith(id)).pop();
    expect(sync?.body).toMatchObject({ plan: 'basic', trialEndsAt: null });
  });
});
