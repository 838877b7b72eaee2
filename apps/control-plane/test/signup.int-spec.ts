import { Client } from 'pg';
import { SignupResult } from '../src/signup/dto/signup.dto';
import { cpDb, PASSWORD, signupBody, startTestControlPlane, TestControlPlane } from './support';

async function orgRow(id: string) {
  const c = new Client({ connectionString: cpDb().adminUrl });
  await c.connect();
  try {
    return (await c.query('select status, provisioning_attempts, provisioning_error from organizations where id = $1', [id])).rows[0];
  } finally {
    await c.end();
  }
}

describe('signup saga', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startTestControlPlane();
  });
  afterAll(() => cp?.close());

  it('creates the org and its admin, provisions the region, and answers 201 with tokens', async () => {
    const body = signupBody({ regionId: 'ca' });
    const res = await cp.client.post<SignupResult>('/v1/signup', body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'active' });
    expect(res.body.accessToken.split('.')).toHaveLength(3);
    const call = cp.regions.ca.calls.find((c) => c.body.organizationId === res.body.organizationId);
    expect(call).toMatchObject({ method: 'POST', url: '/internal/v1/organizations' });
    expect(call?.serviceToken).toBeTruthy();
    expect(call?.body).toMatchObject({ slug: body.slug, plan: 'trial', clinic: { id: res.body.clinicId, name: 'Main Clinic' }, admin: { userId: res.body.userId } });
    expect(cp.regions.in.calls.some((c) => c.body.organizationId === res.body.organizationId)).toBe(false);
    const claims = JSON.parse(Buffer.from(res.body.accessToken.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ sub: res.body.userId, org: res.body.organizationId, region: 'ca', role: 'org_admin' });
    expect((await orgRow(res.body.organizationId)).status).toBe('active');
  });

  it('answers 409 for a taken slug, 202 "check your email" (creating nothing) for a taken email, and 400 for reserved slugs, bad regions and weak passwords', async () => {
    const first = signupBody();
    expect((await cp.client.post('/v1/signup', first)).status).toBe(201);
    const sameSlug = await cp.client.post<{ code: string }>('/v1/signup', { ...signupBody(), slug: first.slug });
    expect(sameSlug.status).toBe(409);
    expect(sameSlug.body.code).toBe('SLUG_TAKEN');
    const sameEmailBody = { ...signupBody(), adminEmail: first.adminEmail.toUpperCase() };
    const sameEmail = await cp.client.post<Record<string, unknown>>('/v1/signup', sameEmailBody);
    expect(sameEmail.status).toBe(202);
    expect(sameEmail.body).toEqual({ status: 'check_your_email', message: 'Check your email to continue' });
    expect(cp.regions.in.calls.some((c) => c.body.slug === sameEmailBody.slug)).toBe(false);
    for (const slug of ['console', 'api', 'www', 'admin']) {
      const res = await cp.client.post<{ code: string }>('/v1/signup', signupBody({ slug }));
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('SLUG_RESERVED');
    }
    expect((await cp.client.post('/v1/signup', signupBody({ slug: 'Not_A_Label' }))).status).toBe(400);
    expect((await cp.client.post('/v1/signup', signupBody({ slug: '-edge' }))).status).toBe(400);
    expect((await cp.client.post('/v1/signup', signupBody({ regionId: 'zz' }))).status).toBe(400);
    expect((await cp.client.post('/v1/signup', signupBody({ adminPassword: 'short' }))).status).toBe(400);
    expect((await cp.client.post('/v1/signup', signupBody({ adminPassword: 'aaaaaaaaaaaaaaaa' }))).status).toBe(400);
  });

  it('answers 202 while the region is down and the worker finishes once it is back, without duplicates', async () => {
    cp.regions.in.mode = 'down';
    const res = await cp.client.post<SignupResult>('/v1/signup', signupBody({ regionId: 'in' }));
    expect(res.status).toBe(202);
    expect(res.body.status).toBe('provisioning');
    expect(await orgRow(res.body.organizationId)).toMatchObject({ status: 'provisioning', provisioning_attempts: 1 });

    // Still down: the worker tries again (when due) and leaves it provisioning.
    await forceDue(res.body.organizationId);
    await cp.tick();
    expect((await orgRow(res.body.organizationId)).status).toBe('provisioning');

    cp.regions.in.mode = 'up';
    await forceDue(res.body.organizationId);
    await cp.tick();
    expect((await orgRow(res.body.organizationId)).status).toBe('active');
    await cp.tick();
    const successful = cp.regions.in.calls.filter((c) => c.body.organizationId === res.body.organizationId);
    expect(successful.length).toBeGreaterThanOrEqual(3);
    expect(new Set(successful.map((c) => (c.body.clinic as { id: string }).id)).size).toBe(1);

    const login = await cp.client.post('/v1/auth/login', { email: (successful[0].body.admin as { email: string }).email, password: PASSWORD });
    expect(login.status).toBe(200);
  });

  async function forceDue(orgId: string) {
    const c = new Client({ connectionString: cpDb().adminUrl });
    await c.connect();
    await c.query('update organizations set next_provisioning_at = now() - interval \'1 second\' where id = $1', [orgId]);
    await c.end();
  }
});
