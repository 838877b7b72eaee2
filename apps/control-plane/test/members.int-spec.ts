import { Client } from 'pg';
import { TokenPair } from '../src/identity/dto/auth.dto';
import { UsersRepository } from '../src/identity/users.repository';
import { cpDb, signupBody, startTestControlPlane, TestControlPlane } from './support';

type Tokens = Pick<TokenPair, 'accessToken' | 'refreshToken'>;
interface Org {
  organizationId: string;
  clinicId: string;
  userId: string;
  accessToken: string;
  email: string;
  password: string;
}
interface Member {
  userId: string;
  email: string;
  role: string;
  status: string;
  clinicIds: string[];
}

describe('member management by org admins', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startTestControlPlane();
  });
  afterAll(() => cp?.close());

  async function signup(): Promise<Org> {
    const body = signupBody();
    const res = await cp.client.post<Omit<Org, 'email' | 'password'>>('/v1/signup', body);
    expect(res.status).toBe(201);
    return { ...res.body, email: body.adminEmail, password: body.adminPassword };
  }

  /** Adds a member and gives them their own password, so they can log in. */
  async function addMember(org: Org, role: 'org_admin' | 'doctor' | 'staff', clinicIds = [org.clinicId]) {
    const email = `${role}-${Math.random().toString(36).slice(2)}-${org.organizationId.slice(0, 8)}@example.test`;
    const res = await cp.client.post<{ userId: string; temporaryPassword: string }>(
      '/v1/members',
      { name: `Member ${role}`, email, role, clinicIds },
      { token: org.accessToken },
    );
    expect(res.status).toBe(201);
    const password = `${role} own password 42`;
    expect((await cp.client.post('/v1/auth/password', { email, currentPassword: res.body.temporaryPassword, newPassword: password })).status).toBe(204);
    return { userId: res.body.userId, email, password };
  }

  const login = (email: string, password: string) => cp.client.post<Tokens & { code: string }>('/v1/auth/login', { email, password });
  const patch = (org: Org, userId: string, body: unknown) =>
    cp.client.patch<Member & { code: string }>(`/v1/members/${userId}`, body, { token: org.accessToken });
  const lastPut = (userId: string) => [...cp.regions.in.calls].reverse().find((c) => c.method === 'PUT' && c.url.endsWith(`/memberships/${userId}`));

  async function auditActions(userId: string): Promise<string[]> {
    const c = new Client({ connectionString: cpDb().adminUrl });
    await c.connect();
    try {
      const rows = (await c.query('select action from admin_audit_events where target_type = $1 and target_id = $2 order by occurred_at', ['user', userId])).rows;
      return rows.map((r: { action: string }) => r.action);
    } finally {
      await c.end();
    }
  }

  it('deactivates a member (region told isActive false, login and refresh refused) and reactivates them', async () => {
    const org = await signup();
    const doc = await addMember(org, 'doctor');
    const session = await login(doc.email, doc.password);
    expect(session.status).toBe(200);

    const off = await patch(org, doc.userId, { active: false });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ userId: doc.userId, status: 'disabled', role: 'doctor' });
    expect(lastPut(doc.userId)?.body).toMatchObject({ role: 'doctor', isActive: false, clinicIds: [org.clinicId] });
    expect((await login(doc.email, doc.password)).status).toBe(401);
    expect((await cp.client.post('/v1/auth/refresh', { refreshToken: session.body.refreshToken })).status).toBe(401);

    const on = await patch(org, doc.userId, { active: true });
    expect(on.status).toBe(200);
    expect(on.body.status).toBe('active');
    expect(lastPut(doc.userId)?.body).toMatchObject({ isActive: true });
    expect((await login(doc.email, doc.password)).status).toBe(200);
    // The revoked token stays dead after reactivation.
    expect((await cp.client.post('/v1/auth/refresh', { refreshToken: session.body.refreshToken })).status).toBe(401);
    expect(await auditActions(doc.userId)).toEqual(['member.deactivate', 'member.update']);
  });

  it('sends a role and clinic change to the region and to the identity', async () => {
    const org = await signup();
    const staff = await addMember(org, 'staff');
    const res = await patch(org, staff.userId, { role: 'doctor', clinicIds: [] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ role: 'doctor', clinicIds: [], status: 'active' });
    expect(lastPut(staff.userId)?.body).toMatchObject({ role: 'doctor', clinicIds: [], isActive: true });
    const members = await cp.client.get<Member[]>('/v1/members', { token: org.accessToken });
    expect(members.body.find((m) => m.userId === staff.userId)).toMatchObject({ role: 'doctor', status: 'active' });
    const claims = JSON.parse(Buffer.from((await login(staff.email, staff.password)).body.accessToken.split('.')[1], 'base64url').toString());
    expect(claims.role).toBe('doctor');
  });

  it('validates the change', async () => {
    const org = await signup();
    const staff = await addMember(org, 'staff');
    for (const body of [{}, { role: 'platform_admin' }, { clinicIds: ['not-a-uuid'] }, { active: 'no' }, { role: 'doctor', extra: 1 }]) {
      expect((await patch(org, staff.userId, body)).status).toBe(400);
    }
    expect((await cp.client.patch(`/v1/members/not-a-uuid`, { active: false }, { token: org.accessToken })).status).toBe(400);
  });

  it('never leaves the organization without an active org admin (409 LAST_ORG_ADMIN)', async () => {
    const org = await signup();
    for (const body of [{ active: false }, { role: 'doctor' }]) {
      const res = await patch(org, org.userId, body);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('LAST_ORG_ADMIN');
    }
    const del = await cp.client.delete<{ code: string }>(`/v1/members/${org.userId}`, { token: org.accessToken });
    expect(del.status).toBe(409);
    expect(del.body.code).toBe('LAST_ORG_ADMIN');
    expect(lastPut(org.userId)).toBeUndefined();

    // With a second admin, the first may step down; then the second is the last.
    const second = await addMember(org, 'org_admin');
    expect((await patch(org, org.userId, { role: 'staff' })).status).toBe(200);
    // A new role ends the member's sessions: the token that named them org admin is refused at once.
    const stale = await cp.client.get<{ code: string }>('/v1/members', { token: org.accessToken });
    expect(stale.status).toBe(401);
    expect(stale.body.code).toBe('SESSION_ENDED');
    const secondToken = (await login(second.email, second.password)).body.accessToken;
    const self = await cp.client.patch<{ code: string }>(`/v1/members/${second.userId}`, { active: false }, { token: secondToken });
    expect(self.status).toBe(409);
    // A deactivated admin does not count as one.
    const third = await addMember({ ...org, accessToken: secondToken }, 'org_admin');
    expect((await cp.client.patch(`/v1/members/${third.userId}`, { active: false }, { token: secondToken })).status).toBe(200);
    expect((await cp.client.delete(`/v1/members/${second.userId}`, { token: secondToken })).status).toBe(409);
  });

  it('lets only one of two admins demoting each other at the same moment through', async () => {
    const org = await signup();
    const second = await addMember(org, 'org_admin');
    for (let round = 0; round < 3; round += 1) {
      // A role change ends the member's sessions, so each round signs both admins in afresh.
      const firstToken = (await login(org.email, org.password)).body.accessToken;
      const secondToken = (await login(second.email, second.password)).body.accessToken;
      const [a, b] = await Promise.all([
        cp.client.patch<{ code: string }>(`/v1/members/${second.userId}`, { role: 'staff' }, { token: firstToken }),
        cp.client.patch<{ code: string }>(`/v1/members/${org.userId}`, { role: 'staff' }, { token: secondToken }),
      ]);
      // One change goes through. The other is refused: 409 LAST_ORG_ADMIN, or, when the winner's change
      // (a new role ends the demoted admin's sessions) landed before the loser's request was let in, 401 SESSION_ENDED.
      const [won, lost] = a.status === 200 ? [a, b] : [b, a];
      expect(won.status).toBe(200);
      expect([`409 LAST_ORG_ADMIN`, `401 SESSION_ENDED`]).toContain(`${lost.status} ${lost.body.code}`);
      const aLost = lost === a;
      const admins = (await cp.client.get<{ userId: string; role: string; status: string }[]>('/v1/members', { token: aLost ? secondToken : firstToken })).body.filter(
        (m) => m.role === 'org_admin' && m.status === 'active',
      );
      expect(admins).toHaveLength(1);
      const survivor = admins[0].userId;
      expect(survivor).toBe(aLost ? second.userId : org.userId);
      // When the refused change had already reached the region (it passed the early check), it was put back there.
      const put = lastPut(survivor);
      if (put) expect(put.body).toMatchObject({ role: 'org_admin', isActive: true });
      // Promote the other back for the next round.
      const demoted = survivor === org.userId ? second.userId : org.userId;
      const token = survivor === org.userId ? firstToken : secondToken;
      expect((await cp.client.patch(`/v1/members/${demoted}`, { role: 'org_admin' }, { token })).status).toBe(200);
    }
  });

  it('checks the last admin again with the admins locked, in the same transaction as the change', async () => {
    const org = await signup();
    const users = cp.app.get(UsersRepository);
    // Alone: the change is refused and nothing is written.
    expect(await users.updateMember(org.userId, { role: 'staff' }, false, org.organizationId)).toBe(false);
    expect((await users.findById(org.userId))?.role).toBe('org_admin');
    // With another active admin it goes through.
    await addMember(org, 'org_admin');
    expect(await users.updateMember(org.userId, { role: 'staff' }, false, org.organizationId)).toBe(true);
    expect((await users.findById(org.userId))?.role).toBe('staff');
  });

  it("answers 404 for another organization's member", async () => {
    const ours = await signup();
    const theirs = await signup();
    const doc = await addMember(ours, 'doctor');
    const calls = cp.regions.in.calls.length;
    expect((await patch(theirs, doc.userId, { active: false })).status).toBe(404);
    expect((await cp.client.delete(`/v1/members/${doc.userId}`, { token: theirs.accessToken })).status).toBe(404);
    expect((await cp.client.post(`/v1/members/${doc.userId}/temporary-password`, {}, { token: theirs.accessToken })).status).toBe(404);
    expect((await cp.client.patch(`/v1/members/${ours.userId}`, { role: 'staff' }, { token: theirs.accessToken })).status).toBe(404);
    expect(cp.regions.in.calls.length).toBe(calls);
    expect((await login(doc.email, doc.password)).status).toBe(200);
    // A doctor is no org admin.
    const docToken = (await login(doc.email, doc.password)).body.accessToken;
    expect((await cp.client.patch(`/v1/members/${doc.userId}`, { role: 'org_admin' }, { token: docToken })).status).toBe(403);
  });

  it('changes nothing when the region is down (503)', async () => {
    const org = await signup();
    const doc = await addMember(org, 'doctor');
    const session = await login(doc.email, doc.password);
    cp.regions.in.mode = 'down';
    try {
      const res = await patch(org, doc.userId, { active: false, role: 'staff' });
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('REGION_UNAVAILABLE');
      expect((await cp.client.delete(`/v1/members/${doc.userId}`, { token: org.accessToken })).status).toBe(503);
    } finally {
      cp.regions.in.mode = 'up';
    }
    const members = await cp.client.get<Member[]>('/v1/members', { token: org.accessToken });
    expect(members.body.find((m) => m.userId === doc.userId)).toMatchObject({ role: 'doctor', status: 'active' });
    expect((await login(doc.email, doc.password)).status).toBe(200);
    expect((await cp.client.post('/v1/auth/refresh', { refreshToken: session.body.refreshToken })).status).toBe(200);
    expect(await auditActions(doc.userId)).toEqual([]);
  });

  it('removes a member: inactive in the region, removed here (gone from the list and every member route), sessions ended', async () => {
    const org = await signup();
    const staff = await addMember(org, 'staff');
    const session = await login(staff.email, staff.password);
    expect((await cp.client.delete(`/v1/members/${staff.userId}`, { token: org.accessToken })).status).toBe(204);
    expect(lastPut(staff.userId)?.body).toMatchObject({ role: 'staff', isActive: false });
    expect((await login(staff.email, staff.password)).status).toBe(401);
    expect((await cp.client.post('/v1/auth/refresh', { refreshToken: session.body.refreshToken })).status).toBe(401);
    const members = await cp.client.get<Member[]>('/v1/members', { token: org.accessToken });
    expect(members.body.find((m) => m.userId === staff.userId)).toBeUndefined();
    // No longer a member: reactivating, changing or removing again is 404, as for anyone's.
    for (const res of [
      await patch(org, staff.userId, { active: true }),
      await patch(org, staff.userId, { role: 'doctor' }),
      await cp.client.delete<{ code: string }>(`/v1/members/${staff.userId}`, { token: org.accessToken }),
      await cp.client.post<{ code: string }>(`/v1/members/${staff.userId}/temporary-password`, {}, { token: org.accessToken }),
    ]) {
      expect(res.status).toBe(404);
      expect(res.body.code).toBe('MEMBER_NOT_FOUND');
    }
    expect(await auditActions(staff.userId)).toEqual(['member.remove']);
  });

  it('adds a removed member back with the same email: the same identity, a new role, clinics and temporary password; another org cannot take it', async () => {
    const org = await signup();
    const staff = await addMember(org, 'staff');
    expect((await cp.client.delete(`/v1/members/${staff.userId}`, { token: org.accessToken })).status).toBe(204);

    const other = await signup();
    const stolen = await cp.client.post<{ code: string }>('/v1/members', { name: 'Not yours', email: staff.email, role: 'doctor', clinicIds: [other.clinicId] }, { token: other.accessToken });
    expect(stolen.status).toBe(409);
    expect(stolen.body.code).toBe('EMAIL_TAKEN');

    const back = await cp.client.post<{ userId: string; temporaryPassword: string; role: string }>(
      '/v1/members',
      { name: 'Returning Doctor', email: staff.email.toUpperCase(), role: 'doctor', clinicIds: [org.clinicId] },
      { token: org.accessToken },
    );
    expect(back.status).toBe(201);
    expect(back.body).toMatchObject({ userId: staff.userId, role: 'doctor' });
    expect(lastPut(staff.userId)?.body).toMatchObject({ role: 'doctor', clinicIds: [org.clinicId], isActive: true });
    // The old password is gone; the temporary one must be changed first.
    expect((await login(staff.email, staff.password)).status).toBe(401);
    expect((await login(staff.email, back.body.temporaryPassword)).body.code).toBe('PASSWORD_CHANGE_REQUIRED');
    const members = await cp.client.get<Member[]>('/v1/members', { token: org.accessToken });
    expect(members.body.find((m) => m.userId === staff.userId)).toMatchObject({ role: 'doctor', status: 'active' });
    expect(await auditActions(staff.userId)).toEqual(['member.remove', 'member.readd']);
  });

  it('issues a temporary password once: the old one and the sessions stop working, a change is required', async () => {
    const org = await signup();
    const doc = await addMember(org, 'doctor');
    const session = await login(doc.email, doc.password);
    const res = await cp.client.post<{ userId: string; temporaryPassword: string }>(`/v1/members/${doc.userId}/temporary-password`, {}, { token: org.accessToken });
    expect(res.status).toBe(200);
    expect(res.body.temporaryPassword.length).toBeGreaterThanOrEqual(16);
    expect((await cp.client.post('/v1/auth/refresh', { refreshToken: session.body.refreshToken })).status).toBe(401);
    expect((await login(doc.email, doc.password)).status).toBe(401);
    const first = await login(doc.email, res.body.temporaryPassword);
    expect(first.status).toBe(403);
    expect(first.body.code).toBe('PASSWORD_CHANGE_REQUIRED');
    const newPassword = 'a fresh password of mine 9';
    expect((await cp.client.post('/v1/auth/password', { email: doc.email, currentPassword: res.body.temporaryPassword, newPassword })).status).toBe(204);
    expect((await login(doc.email, newPassword)).status).toBe(200);
    // Once: the temporary password no longer works after the change.
    expect((await login(doc.email, res.body.temporaryPassword)).status).toBe(401);
    // Not shown again anywhere.
    const members = await cp.client.get<Record<string, unknown>[]>('/v1/members', { token: org.accessToken });
    expect(JSON.stringify(members.body)).not.toContain(res.body.temporaryPassword);
    expect(await auditActions(doc.userId)).toEqual(['member.password_reset']);
  });
});
