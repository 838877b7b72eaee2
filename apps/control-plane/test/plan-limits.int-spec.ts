import { signupBody, startTestControlPlane, TestControlPlane } from './support';

/**
 * The plan's doctor limit is the region's rule (a doctor is a doctor profile, counted and locked in
 * the region's transaction; apps/regional-api/test/plan-limits.int-spec.ts races it). The control
 * plane no longer counts on its own: it passes the region's refusal on, and keeps no identity.
 */
describe("member creation under the region's plan limits", () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startTestControlPlane();
  });
  afterAll(() => cp?.close());

  let adminToken: string;
  beforeAll(async () => {
    adminToken = (await cp.client.post<{ accessToken: string }>('/v1/auth/login', cp.platformAdmin)).body.accessToken;
  });

  async function signup() {
    const body = signupBody({ regionId: 'in' });
    const res = await cp.client.post<{ organizationId: string; accessToken: string; clinicId: string }>('/v1/signup', body);
    expect(res.status).toBe(201);
    return { ...body, ...res.body };
  }

  it("answers the region's 402 PLAN_LIMIT_REACHED with the limit and the usage, and leaves no identity behind", async () => {
    const org = await signup();
    const refusal = {
      statusCode: 402,
      error: 'Payment Required',
      message: 'Your plan allows 5 doctors; upgrade to add more',
      code: 'PLAN_LIMIT_REACHED',
      limit: { key: 'maxDoctors', max: 5 },
      usage: 5,
    };
    cp.regions.in.answer = (call) => (call.method === 'PUT' && call.body.role === 'doctor' ? { status: 402, body: refusal } : undefined);
    const email = `sixth-${org.slug}@example.test`;
    const add = (role: string) => cp.client.post<Record<string, unknown>>('/v1/members', { name: 'Dr Six', email, role, clinicIds: [org.clinicId] }, { token: org.accessToken });
    try {
      const refused = await add('doctor');
      expect(refused.status).toBe(402);
      expect(refused.body).toMatchObject({ code: 'PLAN_LIMIT_REACHED', message: refusal.message, limit: { key: 'maxDoctors', max: 5 }, usage: 5 });
      // The control plane does not count org admins (or anyone) itself: staff pass, and the refused
      // doctor's email is free again (no half-created identity).
      expect((await add('staff')).status).toBe(201);
    } finally {
      cp.regions.in.answer = undefined;
    }
  });

  it('refuses a plan below the usage (409 PLAN_BELOW_USAGE naming what exceeds) unless a platform admin forces it, who then sees the overage', async () => {
    const org = await signup();
    const id = org.organizationId;
    const change = (body: Record<string, unknown>) => cp.client.patch<Record<string, unknown>>(`/v1/admin/organizations/${id}/plan`, body, { token: adminToken });
    expect((await change({ plan: 'premium' })).status).toBe(200);
    const exceeds = [{ key: 'maxClinics', max: 3, usage: 4 }];
    // The region counts (stubbed here; apps/regional-api/test/plan-limits.int-spec.ts has the real count).
    cp.regions.in.answer = (call) =>
      call.method === 'PATCH' && call.body.refuseBelowUsage === true
        ? { status: 409, body: { statusCode: 409, code: 'PLAN_BELOW_USAGE', message: 'The basic plan allows 3 clinics; the organization has 4 clinics', exceeds } }
        : call.method === 'PATCH' && call.body.refuseBelowUsage === false
          ? { status: 200, body: { organizationId: id, overage: exceeds } }
          : undefined;
    try {
      const refused = await change({ plan: 'basic' });
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'PLAN_BELOW_USAGE', message: 'The basic plan allows 3 clinics; the organization has 4 clinics', exceeds });
      expect((await cp.client.get<{ plan: string }>(`/v1/admin/organizations/${id}`, { token: adminToken })).body.plan).toBe('premium');
      expect((await cp.client.patch(`/v1/admin/organizations/${id}/plan`, { plan: 'basic', force: true }, { token: org.accessToken })).status).toBe(403);

      const forced = await change({ plan: 'basic', force: true });
      expect(forced.status).toBe(200);
      expect(forced.body).toMatchObject({ plan: 'basic', overage: exceeds });
      expect((await cp.client.get<{ plan: string }>(`/v1/admin/organizations/${id}`, { token: adminToken })).body.plan).toBe('basic');
    } finally {
      cp.regions.in.answer = undefined;
    }
  });
});
