import { randomUUID } from 'node:crypto';
import { signupBody, startTestControlPlane, TestControlPlane } from './support';

/**
 * Issue 14: what the region refuses about the caller's input is the caller's 400 at the control
 * plane (a member given another org's clinic), not a 502; a refusal of our own credential stays a 502.
 */
describe("the region's refusals, seen from the control plane", () => {
  let cp: TestControlPlane;
  let token: string;
  beforeAll(async () => {
    cp = await startTestControlPlane();
    const signup = await cp.client.post<{ accessToken: string }>('/v1/signup', signupBody({ regionId: 'in' }));
    token = signup.body.accessToken;
  });
  afterAll(() => cp?.close());

  const member = () => ({ name: 'Dr Other', email: `dr-${randomUUID().slice(0, 8)}@example.test`, role: 'doctor', clinicIds: [randomUUID()] });

  it("answers a clinic the region does not know for this org with 400, naming the region's reason", async () => {
    cp.regions.in.answer = (call) =>
      call.method === 'PUT' && call.url.includes('/memberships/')
        ? { status: 404, body: { statusCode: 404, error: 'Not Found', code: 'CLINIC_NOT_FOUND', message: 'Clinic not found in this organization' } }
        : undefined;
    try {
      const res = await cp.client.post<{ code: string; message: string }>('/v1/members', member(), { token });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('REGION_REJECTED');
      expect(res.body.message).toContain('Clinic not found in this organization');
    } finally {
      cp.regions.in.answer = undefined;
    }
  });

  it("keeps a refusal of the control plane's own credential a 502", async () => {
    cp.regions.in.answer = (call) => (call.method === 'PUT' ? { status: 401, body: { statusCode: 401, message: 'bad service token' } } : undefined);
    try {
      expect((await cp.client.post('/v1/members', member(), { token })).status).toBe(502);
    } finally {
      cp.regions.in.answer = undefined;
    }
  });

  it('refuses a NUL or deep nesting in a control-plane body with 400', async () => {
    const nul = await cp.client.request<{ code: string }>('POST', '/v1/signup', { payload: JSON.stringify(signupBody({ organizationName: 'Acme\u0000' })), headers: { 'content-type': 'application/json' } });
    expect(nul).toMatchObject({ status: 400, body: { code: 'INVALID_INPUT' } });
    const login = await cp.client.request<{ code: string }>('POST', '/v1/auth/login', { payload: '{"email":"a@b.test","password":"x","n":' + '['.repeat(50) + ']'.repeat(50) + '}', headers: { 'content-type': 'application/json' } });
    expect(login.status).toBe(400);
  });
});
