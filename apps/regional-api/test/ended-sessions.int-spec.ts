import { randomUUID } from 'node:crypto';
import { SERVICE_TOKEN_HEADER } from '@medgenie/contracts';
import { TestMember, TestOrg } from '@medgenie/testing';
import { withClient } from './db';
import { startTestRegion, testDb, TestRegion } from './support';

/**
 * Ended sessions (issue 14): the control plane pushes a session's id when it ends (logout,
 * password change, deactivation) and every request's first statement refuses that session's
 * tokens from then on, 401 SESSION_ENDED, while the same user's other sessions and every other
 * org's members go on. Tried from the other side too: a member's own transaction cannot bring an
 * ended session back, a member's token cannot call the route, and bad bodies are 400s.
 */
describe('ended sessions', () => {
  let region: TestRegion;
  let a: TestOrg;
  let b: TestOrg;
  let doctor: TestMember;
  beforeAll(async () => {
    region = await startTestRegion({ regionId: 'in' });
    [a, b] = await Promise.all([region.createOrg({ plan: 'basic' }), region.createOrg({ plan: 'basic' })]);
    doctor = await a.addMember('doctor', [a.clinicIds[0]]);
  });
  afterAll(() => region?.close());

  const tokenOf = (org: TestOrg, member: TestMember, sessionId: string) =>
    region.issuer.userToken({ userId: member.userId, orgId: org.orgId, regionId: 'in', role: member.role, sessionId });
  const end = (org: TestOrg, sessions: unknown, headers: Record<string, string> = { [SERVICE_TOKEN_HEADER]: region.serviceToken }) =>
    region.client.post(`/internal/v1/organizations/${org.orgId}/ended-sessions`, { sessions }, { headers });
  const inAMinute = () => new Date(Date.now() + 60_000).toISOString();
  const statuses = (token: string) =>
    Promise.all([
      region.client.get('/v1/patients', { token }),
      region.client.get('/v1/me', { token }),
      region.client.post('/v1/patients', { firstName: 'Sam', lastName: 'Session', mobileNumber: `+9196${String(Date.now() % 1e8).padStart(8, '0')}` }, { token }),
    ]).then((all) => all.map((r) => r.status));

  it("refuses an ended session's tokens at once, and only that session's", async () => {
    const ending = randomUUID();
    const other = randomUUID();
    const endingToken = await tokenOf(a, doctor, ending);
    const sameUserOtherSession = await tokenOf(a, doctor, other);
    const otherOrgSession = randomUUID();
    const otherOrgToken = await tokenOf(b, b.admin, otherOrgSession);
    expect(await statuses(endingToken)).toEqual([200, 200, 201]);

    expect((await end(a, [{ sessionId: ending, expiresAt: inAMinute() }])).status).toBe(204);

    expect(await statuses(endingToken)).toEqual([401, 401, 401]);
    const refused = await region.client.get<{ code?: string; message: string }>('/v1/patients', { token: endingToken });
    expect(refused.body.message).toMatch(/session has ended/);
    expect(await statuses(sameUserOtherSession)).toEqual([200, 200, 201]);
    expect(await statuses(otherOrgToken)).toEqual([200, 200, 201]);
    expect(await statuses(a.admin.token)).toEqual([200, 200, 201]);

    // Pushed twice (a retry after a lost answer) it stays ended.
    expect((await end(a, [{ sessionId: ending, expiresAt: inAMinute() }])).status).toBe(204);
    expect((await region.client.get('/v1/patients', { token: endingToken })).status).toBe(401);
  });

  it('takes the route from the control plane only, and refuses bad bodies with 400', async () => {
    const session = randomUUID();
    expect((await end(a, [{ sessionId: session, expiresAt: inAMinute() }], { authorization: `Bearer ${a.admin.token}` })).status).toBe(401);
    expect((await end(a, [{ sessionId: 'not-a-uuid', expiresAt: inAMinute() }])).status).toBe(400);
    expect((await end(a, [{ sessionId: session, expiresAt: 'tomorrow' }])).status).toBe(400);
    expect((await end(a, [])).status).toBe(400);
    expect((await end(a, 'everything')).status).toBe(400);
    const token = await tokenOf(a, doctor, session);
    expect((await region.client.get('/v1/patients', { token })).status).toBe(200);
  });

  it("lets no member's transaction change the ended sessions (row-level security)", async () => {
    const session = randomUUID();
    expect((await end(a, [{ sessionId: session, expiresAt: inAMinute() }])).status).toBe(204);
    const outcome = await withClient(testDb().appUrl, async (c) => {
      await c.query('begin');
      await c.query("select set_config('app.org_id', $1, true), set_config('app.user_id', $2, true)", [a.orgId, doctor.userId]);
      const deleted = (await c.query('delete from revoked_sessions where session_id = $1', [session])).rowCount;
      const updated = (await c.query("update revoked_sessions set expires_at = now() - interval '1 day' where session_id = $1", [session])).rowCount;
      let inserted = 'allowed';
      try {
        await c.query('savepoint s');
        await c.query("insert into revoked_sessions (session_id, expires_at) values ($1, now() + interval '1 hour')", [randomUUID()]);
      } catch (err) {
        inserted = (err as Error).message;
        await c.query('rollback to savepoint s');
      }
      const seen = (await c.query('select 1 from revoked_sessions where session_id = $1', [session])).rowCount;
      await c.query('rollback');
      return { deleted, updated, inserted, seen };
    });
    expect(outcome.deleted).toBe(0);
    expect(outcome.updated).toBe(0);
    expect(outcome.inserted).toMatch(/row-level security/);
    expect(outcome.seen).toBe(1);
    expect((await region.client.get('/v1/patients', { token: await tokenOf(a, doctor, session) })).status).toBe(401);
  });

  it('forgets sessions whose tokens have expired', async () => {
    const old = randomUUID();
    expect((await end(a, [{ sessionId: old, expiresAt: new Date(Date.now() - 3_600_000).toISOString() }])).status).toBe(204);
    // The next push prunes what expired more than a minute ago, the one just pushed included.
    expect((await end(a, [{ sessionId: randomUUID(), expiresAt: inAMinute() }])).status).toBe(204);
    const left = await withClient(testDb().adminUrl, async (c) => (await c.query('select 1 from revoked_sessions where session_id = $1', [old])).rowCount);
    expect(left).toBe(0);
  });
});
