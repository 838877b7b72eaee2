import Redis from 'ioredis';
import { Client } from 'pg';
import { SESSION_REVOCATIONS_KEY } from '@medgenie/contracts';
import { cpDb, PASSWORD, signupBody, startTestControlPlane, TestControlPlane } from './support';

interface Tokens {
  accessToken: string;
  refreshToken: string;
}

const sidOf = (accessToken: string): string => (JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()) as { sid: string }).sid;

const waitFor = async (predicate: () => Promise<boolean> | boolean, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await predicate()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return predicate();
};

/**
 * Sessions that end when they should (issue 14): logout, a password change, a reused refresh
 * token and a deactivated member end their sessions, and the control plane refuses the access
 * tokens of an ended session itself, pushes the session to the user's region (before answering,
 * or retried while the region is down) and announces it to the gateways through Redis.
 */
describe('ended sessions in the control plane', () => {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  let cp: TestControlPlane;
  let redis: Redis;
  beforeAll(async () => {
    cp = await startTestControlPlane({ REDIS_URL: redisUrl, SESSION_DELIVERY_INTERVAL_MS: '200' });
    redis = new Redis(redisUrl);
  });
  afterAll(async () => {
    redis?.disconnect();
    await cp?.close();
  });

  async function signup(): Promise<{ organizationId: string; email: string } & Tokens> {
    const body = signupBody();
    const res = await cp.client.post<{ organizationId: string } & Tokens>('/v1/signup', body);
    expect(res.status).toBe(201);
    return { ...res.body, email: body.adminEmail };
  }
  const login = async (email: string, password = PASSWORD): Promise<Tokens> => {
    const res = await cp.client.post<Tokens>('/v1/auth/login', { email, password });
    expect(res.status).toBe(200);
    return res.body;
  };
  const members = (token: string) => cp.client.get<{ code?: string }>('/v1/members', { token });
  const pushed = (orgId: string) =>
    cp.regions.in.calls
      .filter((c) => c.method === 'POST' && c.url === `/internal/v1/organizations/${orgId}/ended-sessions`)
      .flatMap((c) => (c.body.sessions as { sessionId: string; expiresAt: string }[]).map((s) => s.sessionId));
  const deliveredAt = async (sessionId: string) => {
    const c = new Client({ connectionString: cpDb().adminUrl });
    await c.connect();
    try {
      return (await c.query<{ delivered_at: Date | null }>('select delivered_at from ended_sessions where session_id = $1', [sessionId])).rows[0]?.delivered_at;
    } finally {
      await c.end();
    }
  };

  it('ends one session at logout: refused here, pushed to the region before the answer, announced to the gateways; the other session goes on', async () => {
    const org = await signup();
    const other = await login(org.email);
    expect((await members(org.accessToken)).status).toBe(200);
    const sid = sidOf(org.accessToken);
    expect(sidOf(other.accessToken)).not.toBe(sid);

    expect((await cp.client.post('/v1/auth/logout', { refreshToken: org.refreshToken })).status).toBe(204);
    expect(pushed(org.organizationId)).toEqual([sid]);
    const refused = await members(org.accessToken);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('SESSION_ENDED');
    expect((await cp.client.post('/v1/auth/refresh', { refreshToken: org.refreshToken })).status).toBe(401);
    expect((await members(other.accessToken)).status).toBe(200);

    const score = Number(await redis.zscore(SESSION_REVOCATIONS_KEY, sid));
    expect(score).toBeGreaterThan(Date.now() + 800_000); // kept as long as its access tokens live (15 min)
    expect(await deliveredAt(sid)).toBeInstanceOf(Date);
  });

  it('ends every session of the user at a password change', async () => {
    const org = await signup();
    const second = await login(org.email);
    const newPassword = 'another fine passphrase 9';
    expect((await cp.client.post('/v1/auth/password', { email: org.email, currentPassword: PASSWORD, newPassword })).status).toBe(204);
    expect(pushed(org.organizationId).sort()).toEqual([sidOf(org.accessToken), sidOf(second.accessToken)].sort());
    expect((await members(org.accessToken)).status).toBe(401);
    expect((await members(second.accessToken)).status).toBe(401);
    const fresh = await login(org.email, newPassword);
    expect((await members(fresh.accessToken)).status).toBe(200);
  });

  it('ends the session whose refresh token is reused', async () => {
    const org = await signup();
    const first = org.refreshToken;
    const next = (await cp.client.post<Tokens>('/v1/auth/refresh', { refreshToken: first })).body;
    const then = (await cp.client.post<Tokens>('/v1/auth/refresh', { refreshToken: next.refreshToken })).body;
    expect((await members(then.accessToken)).status).toBe(200);
    // The first token again, after the session moved on: someone holds a copy.
    const reused = await cp.client.post<{ code: string }>('/v1/auth/refresh', { refreshToken: first });
    expect(reused.body.code).toBe('REFRESH_TOKEN_REUSED');
    expect((await members(then.accessToken)).status).toBe(401);
    expect(pushed(org.organizationId)).toEqual([sidOf(org.accessToken)]);
  });

  it('refuses to refresh a session that ended, even with a refresh token that escaped the revocation (rotated in meanwhile)', async () => {
    const org = await signup();
    const c = new Client({ connectionString: cpDb().adminUrl });
    await c.connect();
    try {
      // What a refresh racing the end of its session leaves behind: the session recorded as ended, its newest token live.
      const { rows } = await c.query<{ user_id: string }>('select user_id from refresh_tokens where family_id = $1 limit 1', [sidOf(org.accessToken)]);
      await c.query(`insert into ended_sessions (session_id, user_id, expires_at, delivered_at) values ($1, $2, now() + interval '15 minutes', now())`, [
        sidOf(org.accessToken),
        rows[0].user_id,
      ]);
    } finally {
      await c.end();
    }
    expect((await cp.client.post('/v1/auth/refresh', { refreshToken: org.refreshToken })).status).toBe(401);
  });

  it("keeps retrying while the region is down, answers the logout meanwhile, and delivers once it is back", async () => {
    const org = await signup();
    const sid = sidOf(org.accessToken);
    cp.regions.in.mode = 'down';
    try {
      const started = Date.now();
      expect((await cp.client.post('/v1/auth/logout', { refreshToken: org.refreshToken })).status).toBe(204);
      expect(Date.now() - started).toBeLessThan(3_000);
      // Refused here at once, whatever the region.
      expect((await members(org.accessToken)).status).toBe(401);
      expect(await deliveredAt(sid)).toBeNull();
    } finally {
      cp.regions.in.mode = 'up';
    }
    expect(await waitFor(async () => (await deliveredAt(sid)) instanceof Date)).toBe(true);
    expect(pushed(org.organizationId)).toContain(sid);
  });

  it("ends a deactivated member's sessions, and only theirs", async () => {
    const org = await signup();
    const email = `doc-${Date.now().toString(36)}@example.test`;
    const created = await cp.client.post<{ userId: string; temporaryPassword: string }>(
      '/v1/members',
      { name: 'Dr Session', email, role: 'doctor', clinicIds: [] },
      { token: org.accessToken },
    );
    expect(created.status).toBe(201);
    expect((await cp.client.post('/v1/auth/password', { email, currentPassword: created.body.temporaryPassword, newPassword: 'doctor own password 42' })).status).toBe(204);
    const doctor = await login(email, 'doctor own password 42');
    const before = pushed(org.organizationId).length;
    expect((await cp.client.patch(`/v1/members/${created.body.userId}`, { active: false }, { token: org.accessToken })).status).toBe(200);
    expect(pushed(org.organizationId).slice(before)).toEqual([sidOf(doctor.accessToken)]);
    expect((await members(org.accessToken)).status).toBe(200);
  });

  it("refuses a platform admin's token once their session ended, with nothing sent to any region", async () => {
    const admin = await login(cp.platformAdmin.email, cp.platformAdmin.password);
    const calls = Object.values(cp.regions).reduce((n, r) => n + r.calls.length, 0);
    expect((await cp.client.get('/v1/admin/organizations', { token: admin.accessToken })).status).toBe(200);
    expect((await cp.client.post('/v1/auth/logout', { refreshToken: admin.refreshToken })).status).toBe(204);
    expect((await cp.client.get('/v1/admin/organizations', { token: admin.accessToken })).status).toBe(401);
    expect(Object.values(cp.regions).reduce((n, r) => n + r.calls.length, 0)).toBe(calls);
    expect(await waitFor(async () => (await deliveredAt(sidOf(admin.accessToken))) instanceof Date)).toBe(true);
  });
});
