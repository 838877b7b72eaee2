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
});
