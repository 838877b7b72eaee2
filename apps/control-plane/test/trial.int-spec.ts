import { Clock } from '../src/common/clock';
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

  it("takes the trial's start from the Clock: at signup, and when a paid plan goes back to the trial", async () => {
    const clock = jest.spyOn(cp.app.get(Clock), 'now');
    try {
      const signedUpAt = new Date('2026-03-01T10:15:30.250Z');
      clock.mockReturnValue(signedUpAt);
      const res = await cp.client.post<{ organizationId: string }>('/v1/signup', signupBody({ regionId: 'in' }));
      expect(res.status).toBe(201);
      const id = res.body.organizationId;
      const org = await cp.client.get<{ trialEndsAt: string | null }>(`/v1/admin/organizations/${id}`, { token: adminToken });
      expect(org.body.trialEndsAt).toBe('2026-03-31T10:15:30.250Z');

      const paid = await cp.client.patch(`/v1/admin/organizations/${id}/plan`, { plan: 'basic' }, { token: adminToken });
      expect(paid.status).toBe(200);
      clock.mockReturnValue(new Date('2026-05-10T00:00:00.000Z'));
      const back = await cp.client.patch<{ plan: string; trialEndsAt: string | null }>(`/v1/admin/organizations/${id}/plan`, { plan: 'trial' }, { token: adminToken });
      expect(back.status).toBe(200);
      expect(back.body).toMatchObject({ plan: 'trial', trialEndsAt: '2026-06-09T00:00:00.000Z' });
    } finally {
      clock.mockRestore();
    }
  });
});
