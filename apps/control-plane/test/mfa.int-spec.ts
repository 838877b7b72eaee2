import { createHash } from 'node:crypto';
import { generateSync } from 'otplib';
import { Client } from 'pg';
import { Clock } from '../src/common/clock';
import { TokenPair } from '../src/identity/dto/auth.dto';
import { Totp } from '../src/identity/totp';
import { cpDb, PASSWORD, signupBody, startTestControlPlane, TestControlPlane } from './support';

type Tokens = Pick<TokenPair, 'accessToken' | 'refreshToken'>;
interface Failure {
  code: string;
}
interface LoginAnswer extends Partial<TokenPair>, Partial<Failure> {
  mfaRequired?: true;
  challengeToken?: string;
  mfaEnrollmentRequired?: true;
  enrollmentToken?: string;
  expiresIn?: number;
}
interface Account {
  email: string;
  password: string;
  userId: string;
  accessToken: string;
  organizationId: string;
  clinicId: string;
}

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const STEP = 30;
const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

/**
 * Issue 14's MFA, tried from the attacker's side: a stolen password alone gets no tokens, codes
 * are not replayed, parallel guessing is cut off at the lockout threshold, recovery codes are spent
 * once, challenges are bound to their user, and the requirement (platform admins, an org's policy)
 * cannot be stepped around or set from another org.
 *
 * The control plane's Clock is fixed for each test (TOTP steps come from it) and moved a step at a
 * time, so no code depends on where in its 30 s the real clock happens to be.
 */
describe('multi-factor authentication (TOTP, recovery codes)', () => {
  let cp: TestControlPlane;
  /** The control plane's time, in Unix seconds. */
  let epoch: number;

  beforeAll(async () => {
    // The platform admin's requirement on, as deployed; a lock long enough not to expire during a test.
    cp = await startTestControlPlane({ REDIS_URL, PLATFORM_ADMIN_MFA_REQUIRED: 'true', LOCKOUT_THRESHOLD: '5', LOCKOUT_BASE_SECONDS: '600' });
  });
  afterAll(() => cp?.close());
  beforeEach(() => {
    epoch = Math.floor(Date.now() / 1000 / STEP) * STEP + 5; // 5 s into the current step
    jest.spyOn(cp.app.get(Clock), 'now').mockImplementation(() => new Date(epoch * 1000));
  });
  afterEach(() => jest.restoreAllMocks());

  /** The authenticator app's code at the control plane's time, `steps` steps from now. */
  const codeOf = (secret: string, steps = 0) => generateSync({ secret, epoch: epoch + steps * STEP });
  /** Moves the control plane's time on by one step; the app's code for the new step. */
  const nextCode = (secret: string) => {
    epoch += STEP;
    return codeOf(secret);
  };
  /** Six digits that are not the secret's code at any step the control plane would accept now. */
  const wrongCodes = (secret: string, n: number) => {
    const valid = new Set([-1, 0, 1].map((s) => codeOf(secret, s)));
    const codes: string[] = [];
    for (let i = 0; codes.length < n; i += 1) {
      const candidate = String((123457 + i * 7919) % 1_000_000).padStart(6, '0');
      if (!valid.has(candidate)) codes.push(candidate);
    }
    return codes;
  };

  async function signup(): Promise<Account> {
    const body = signupBody();
    const res = await cp.client.post<Omit<Account, 'email' | 'password'>>('/v1/signup', body);
    expect(res.status).toBe(201);
    return { ...res.body, email: body.adminEmail, password: PASSWORD };
  }

  /** A doctor of the org, with a password of their own. */
  async function addDoctor(admin: Account) {
    const email = `doctor-${Math.random().toString(36).slice(2)}-${admin.organizationId.slice(0, 8)}@example.test`;
    const res = await cp.client.post<{ userId: string; temporaryPassword: string }>(
      '/v1/members',
      { name: 'Dr Member', email, role: 'doctor', clinicIds: [admin.clinicId] },
      { token: admin.accessToken },
    );
    expect(res.status).toBe(201);
    const password = 'doctor own password 42';
    expect((await cp.client.post('/v1/auth/password', { email, currentPassword: res.body.temporaryPassword, newPassword: password })).status).toBe(204);
    return { userId: res.body.userId, email, password, temporaryPassword: res.body.temporaryPassword };
  }

  const login = (email: string, password: string) => cp.client.post<LoginAnswer>('/v1/auth/login', { email, password });
  const loginMfa = (body: Record<string, unknown>) => cp.client.post<Tokens & Failure>('/v1/auth/login/mfa', body);
  const disable = (token: string, body: Record<string, unknown>) => cp.client.request<Failure>('DELETE', '/v1/auth/mfa', { token, body });

  /** A challenge for the account (its password was right). */
  async function challenge(email: string, password: string): Promise<string> {
    const res = await login(email, password);
    expect(res.status).toBe(200);
    expect(res.body.mfaRequired).toBe(true);
    return res.body.challengeToken!;
  }

  /** Enrols the signed-in user: the secret and the recovery codes. */
  async function enrol(auth: { token?: string; enrollmentToken?: string; password?: string }) {
    const opts = auth.token ? { token: auth.token } : {};
    const body = auth.enrollmentToken ? { enrollmentToken: auth.enrollmentToken } : {};
    // With an access token the password is asked again.
    const setup = await cp.client.post<{ secret: string; otpauthUri: string }>('/v1/auth/mfa/setup', auth.token ? { password: auth.password ?? PASSWORD } : body, opts);
    expect(setup.status).toBe(200);
    const activate = await cp.client.post<{ recoveryCodes: string[] }>('/v1/auth/mfa/activate', { ...body, code: codeOf(setup.body.secret) }, opts);
    expect(activate.status).toBe(200);
    return { secret: setup.body.secret, otpauthUri: setup.body.otpauthUri, recoveryCodes: activate.body.recoveryCodes };
  }

  async function query<T>(sql: string, params: unknown[]): Promise<T[]> {
    const c = new Client({ connectionString: cpDb().adminUrl });
    await c.connect();
    try {
      return (await c.query(sql, params)).rows as T[];
    } finally {
      await c.end();
    }
  }

  it('enrols with a code of the app, shows the recovery codes once, and from then on the password alone gives no tokens', async () => {
    const user = await signup();
    const plain = await login(user.email, user.password);
    expect(plain.status).toBe(200);
    expect(Object.keys(plain.body).sort()).toEqual(['accessToken', 'expiresIn', 'refreshToken', 'tokenType']);
    expect((await cp.client.get('/v1/auth/mfa', { token: user.accessToken })).body).toEqual({ enabled: false, required: false, recoveryCodesLeft: 0 });

    // Enrolment needs a caller: an access token (checked as on every route) or an enrolment token.
    expect((await cp.client.post('/v1/auth/mfa/setup', {})).status).toBe(401);
    expect((await cp.client.post('/v1/auth/mfa/setup', {}, { token: `${user.accessToken.slice(0, -4)}AAAA` })).status).toBe(401);
    expect((await cp.client.post('/v1/auth/mfa/setup', { enrollmentToken: `mfe_${'x'.repeat(43)}` }, { token: user.accessToken })).status).toBe(401);
    // A stolen access token alone cannot put its holder's authenticator on the account: the password is asked again.
    expect((await cp.client.post<Failure>('/v1/auth/mfa/setup', {}, { token: user.accessToken })).status).toBe(400);
    const wrongPassword = await cp.client.post<Failure>('/v1/auth/mfa/setup', { password: 'not the password' }, { token: user.accessToken });
    expect(wrongPassword.status).toBe(401);
    expect(wrongPassword.body.code).toBe('INVALID_CREDENTIALS');
    const setup = await cp.client.post<{ secret: string; otpauthUri: string }>('/v1/auth/mfa/setup', { password: user.password }, { token: user.accessToken });
    expect(setup.status).toBe(200);
    expect(setup.body.otpauthUri.startsWith(`otpauth://totp/MedGenie:${encodeURIComponent(user.email)}?`)).toBe(true);
    const uri = new URL(setup.body.otpauthUri);
    expect(uri.searchParams.get('issuer')).toBe('MedGenie');
    expect(uri.searchParams.get('secret')).toBe(setup.body.secret);
    // Pending and sealed at rest: the secret is nowhere in the row.
    const [pending] = await query<{ mfa_pending_secret_encrypted: string; mfa_enabled_at: Date | null }>('select mfa_pending_secret_encrypted, mfa_enabled_at from users where id = $1', [user.userId]);
    expect(pending.mfa_enabled_at).toBeNull();
    expect(pending.mfa_pending_secret_encrypted).toMatch(/^v1:/);
    expect(pending.mfa_pending_secret_encrypted).not.toContain(setup.body.secret);
    // Not on yet: the password still gives tokens.
    expect((await login(user.email, user.password)).body.accessToken).toBeDefined();

    const wrong = await cp.client.post<Failure>('/v1/auth/mfa/activate', { code: wrongCodes(setup.body.secret, 1)[0] }, { token: user.accessToken });
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('MFA_CODE_INVALID');
    expect((await cp.client.post('/v1/auth/mfa/activate', { code: 'abcdef' }, { token: user.accessToken })).status).toBe(400);
    const activate = await cp.client.post<{ recoveryCodes: string[] }>('/v1/auth/mfa/activate', { code: codeOf(setup.body.secret) }, { token: user.accessToken });
    expect(activate.status).toBe(200);
    const codes = activate.body.recoveryCodes;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(/^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$/);
    const [row] = await query<{ mfa_secret_encrypted: string; mfa_pending_secret_encrypted: string | null }>('select mfa_secret_encrypted, mfa_pending_secret_encrypted from users where id = $1', [user.userId]);
    expect(row.mfa_pending_secret_encrypted).toBeNull();
    expect(row.mfa_secret_encrypted).not.toContain(setup.body.secret);
    const stored = await query<{ code_hash: string }>('select code_hash from mfa_recovery_codes where user_id = $1', [user.userId]);
    expect(stored).toHaveLength(10);
    for (const { code_hash } of stored) expect(codes.some((c) => code_hash.includes(c) || code_hash.includes(c.replace(/-/g, '')))).toBe(false);
    expect((await cp.client.get('/v1/auth/mfa', { token: user.accessToken })).body).toEqual({ enabled: true, required: false, recoveryCodesLeft: 10 });
    expect((await cp.client.post<Failure>('/v1/auth/mfa/setup', { password: user.password }, { token: user.accessToken })).body.code).toBe('MFA_ALREADY_ENABLED');

    // Changing the password takes the second factor too: a stolen password cannot lock the owner out.
    const newPassword = 'a new password for mfa 1';
    const noCode = await cp.client.post<Failure>('/v1/auth/password', { email: user.email, currentPassword: user.password, newPassword });
    expect(noCode.status).toBe(401);
    expect(noCode.body.code).toBe('MFA_CODE_INVALID');
    const badCode = await cp.client.post<Failure>('/v1/auth/password', { email: user.email, currentPassword: user.password, newPassword, code: wrongCodes(setup.body.secret, 1)[0] });
    expect(badCode.status).toBe(401);

    // The password alone: a challenge, no token of any kind.
    const step1 = await login(user.email, user.password);
    expect(step1.status).toBe(200);
    expect(step1.body).toEqual({ mfaRequired: true, challengeToken: expect.any(String), expiresIn: 300 });
    // The challenge is not a credential anywhere else.
    expect((await cp.client.get('/v1/auth/mfa', { token: step1.body.challengeToken })).status).toBe(401);
    expect((await cp.client.post('/v1/auth/refresh', { refreshToken: step1.body.challengeToken })).status).toBe(401);

    const tokens = await loginMfa({ challengeToken: step1.body.challengeToken, code: nextCode(setup.body.secret) });
    expect(tokens.status).toBe(200);
    expect(Object.keys(tokens.body).sort()).toEqual(['accessToken', 'expiresIn', 'refreshToken', 'tokenType']);
    expect((await cp.client.get('/v1/auth/mfa', { token: tokens.body.accessToken })).status).toBe(200);
    expect((await cp.client.post('/v1/auth/refresh', { refreshToken: tokens.body.refreshToken })).status).toBe(200);
    expect(await query('select action from admin_audit_events where target_id = $1 and action = $2', [user.userId, 'mfa.enable'])).toHaveLength(1);
  });

  it('accepts a code once: a replay, an older code and a parallel double use are refused', async () => {
    const user = await signup();
    const { secret } = await enrol({ token: user.accessToken });
    // The activation code's step is spent already.
    const replayOfActivation = await loginMfa({ challengeToken: await challenge(user.email, user.password), code: codeOf(secret) });
    expect(replayOfActivation.status).toBe(401);
    expect(replayOfActivation.body.code).toBe('MFA_CODE_INVALID');

    const code = nextCode(secret);
    expect((await loginMfa({ challengeToken: await challenge(user.email, user.password), code })).status).toBe(200);
    const replay = await loginMfa({ challengeToken: await challenge(user.email, user.password), code });
    expect(replay.status).toBe(401);
    expect(replay.body.code).toBe('MFA_CODE_INVALID');

    // A step later: the code of the step before (still inside the ±1 window) is older than the one accepted.
    epoch += STEP;
    expect((await loginMfa({ challengeToken: await challenge(user.email, user.password), code })).status).toBe(401);

    // One fresh code on two challenges at once (three wrong codes counted so far, so no lock): one session.
    const fresh = codeOf(secret);
    const challenges = [await challenge(user.email, user.password), await challenge(user.email, user.password)];
    const results = await Promise.all(challenges.map((challengeToken) => loginMfa({ challengeToken, code: fresh })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 401 && r.body.code === 'MFA_CODE_INVALID')).toHaveLength(1);
  });

  it('checks at most 5 of 20 parallel wrong codes, then refuses the right code and the password while the account is locked', async () => {
    const user = await signup();
    const { secret } = await enrol({ token: user.accessToken });
    epoch += STEP;
    const challengeToken = await challenge(user.email, user.password);
    const verify = jest.spyOn(cp.app.get(Totp), 'verify');

    const guesses = await Promise.all(wrongCodes(secret, 20).map((code) => loginMfa({ challengeToken, code })));
    expect(verify.mock.calls.length).toBeLessThanOrEqual(5);
    expect(guesses.every((r) => (r.status === 401 && r.body.code === 'MFA_CODE_INVALID') || (r.status === 429 && r.body.code === 'ACCOUNT_LOCKED'))).toBe(true);
    expect(guesses.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(15);
    expect(guesses.some((r) => r.body.accessToken)).toBe(false);

    const checked = verify.mock.calls.length;
    const right = await loginMfa({ challengeToken, code: codeOf(secret) });
    expect(right.status).toBe(429);
    expect(right.body.code).toBe('ACCOUNT_LOCKED');
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(60);
    expect(right.body.accessToken).toBeUndefined();
    expect(verify.mock.calls.length).toBe(checked);
    // The account's lock: the password is refused too, so no fresh challenge to guess on.
    const password = await login(user.email, user.password);
    expect(password.status).toBe(429);
    expect(password.body.code).toBe('ACCOUNT_LOCKED');
    // A recovery code is a guess like any other.
    expect((await loginMfa({ challengeToken, recoveryCode: 'AAAA-BBBB-CCCC-DDDD' })).status).toBe(429);
  });

  it('counts wrong codes across challenges: a right password does not reset them, a right code does', async () => {
    const user = await signup();
    const { secret } = await enrol({ token: user.accessToken });
    epoch += STEP;
    const [a, b, c, d, e] = wrongCodes(secret, 5);
    let token = await challenge(user.email, user.password);
    for (const code of [a, b, c]) expect((await loginMfa({ challengeToken: token, code })).status).toBe(401);
    // Right code: the count starts again.
    expect((await loginMfa({ challengeToken: token, code: codeOf(secret) })).status).toBe(200);
    epoch += STEP;
    token = await challenge(user.email, user.password);
    for (const code of [a, b, c, d]) expect((await loginMfa({ challengeToken: token, code })).status).toBe(401);
    // A new challenge with the right password: the fifth wrong code still locks.
    token = await challenge(user.email, user.password);
    const fifth = await loginMfa({ challengeToken: token, code: e });
    expect(fifth.status).toBe(429);
    expect(fifth.body.code).toBe('ACCOUNT_LOCKED');
  });

  it('spends a challenge with its success, and wants exactly one factor', async () => {
    const user = await signup();
    const { secret } = await enrol({ token: user.accessToken });
    epoch += STEP;
    const token = await challenge(user.email, user.password);
    expect((await loginMfa({ challengeToken: token, code: codeOf(secret) })).status).toBe(200);
    epoch += STEP;
    const again = await loginMfa({ challengeToken: token, code: codeOf(secret) });
    expect(again.status).toBe(401);
    expect(again.body.code).toBe('MFA_CHALLENGE_INVALID');
    // Neither a made-up challenge nor a missing or doubled factor.
    expect((await loginMfa({ challengeToken: `mfc_${'x'.repeat(43)}`, code: codeOf(secret) })).body.code).toBe('MFA_CHALLENGE_INVALID');
    const fresh = await challenge(user.email, user.password);
    expect((await loginMfa({ challengeToken: fresh })).status).toBe(400);
    expect((await loginMfa({ challengeToken: fresh, code: codeOf(secret), recoveryCode: 'AAAA-BBBB-CCCC-DDDD' })).status).toBe(400);
    expect((await loginMfa({ challengeToken: fresh, code: codeOf(secret) })).status).toBe(200);

    // Five minutes, stored hashed: once expired, the right code gets nothing.
    const late = await challenge(user.email, user.password);
    const [stored] = await query<{ expires_at: Date; created_at: Date }>('select expires_at, created_at from mfa_challenges where token_hash = $1', [sha256(late)]);
    expect(stored.expires_at.getTime() - stored.created_at.getTime()).toBeGreaterThan(290_000);
    expect(stored.expires_at.getTime() - stored.created_at.getTime()).toBeLessThanOrEqual(301_000);
    expect(await query('select 1 from mfa_challenges where token_hash = $1', [late])).toHaveLength(0);
    await query(`update mfa_challenges set expires_at = now() - interval '1 second' where token_hash = $1`, [sha256(late)]);
    epoch += STEP;
    expect((await loginMfa({ challengeToken: late, code: codeOf(secret) })).body.code).toBe('MFA_CHALLENGE_INVALID');
  });

  it('spends a recovery code once: of parallel uses one wins, and it never works again', async () => {
    const user = await signup();
    const { recoveryCodes } = await enrol({ token: user.accessToken });
    const [first, second] = recoveryCodes;
    const challenges = [await challenge(user.email, user.password), await challenge(user.email, user.password), await challenge(user.email, user.password)];
    const results = await Promise.all(challenges.map((challengeToken) => loginMfa({ challengeToken, recoveryCode: first })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 401 && r.body.code === 'MFA_CODE_INVALID')).toHaveLength(2);
    expect((await loginMfa({ challengeToken: await challenge(user.email, user.password), recoveryCode: first })).status).toBe(401);
    // Typed loosely (lower case, no dashes): the same code.
    const loose = await loginMfa({ challengeToken: await challenge(user.email, user.password), recoveryCode: second.toLowerCase().replace(/-/g, ' ') });
    expect(loose.status).toBe(200);
    expect((await cp.client.get<{ recoveryCodesLeft: number }>('/v1/auth/mfa', { token: loose.body.accessToken })).body.recoveryCodesLeft).toBe(8);
  });

  it('binds a challenge to its user: another user’s code or recovery code gets nothing, and a challenge is no enrolment token', async () => {
    const alice = await signup();
    const bob = await signup();
    const aliceMfa = await enrol({ token: alice.accessToken });
    const bobMfa = await enrol({ token: bob.accessToken });
    epoch += STEP;
    const aliceChallenge = await challenge(alice.email, alice.password);
    const bobsCode = codeOf(bobMfa.secret);
    if (bobsCode !== codeOf(aliceMfa.secret)) {
      const withBobsCode = await loginMfa({ challengeToken: aliceChallenge, code: bobsCode });
      expect(withBobsCode.status).toBe(401);
      expect(withBobsCode.body.code).toBe('MFA_CODE_INVALID');
    }
    expect((await loginMfa({ challengeToken: aliceChallenge, recoveryCode: bobMfa.recoveryCodes[0] })).status).toBe(401);
    expect((await cp.client.post('/v1/auth/mfa/setup', { enrollmentToken: aliceChallenge })).status).toBe(401);
    expect((await cp.client.post('/v1/auth/mfa/setup', {}, { token: aliceChallenge })).status).toBe(401);
    // Bob's recovery code is still his (the refused attempt did not spend it), and Alice's challenge still works with her code.
    const aliceTokens = await loginMfa({ challengeToken: aliceChallenge, code: codeOf(aliceMfa.secret) });
    expect(aliceTokens.status).toBe(200);
    const claims = JSON.parse(Buffer.from(aliceTokens.body.accessToken.split('.')[1], 'base64url').toString());
    expect(claims.sub).toBe(alice.userId);
    expect((await loginMfa({ challengeToken: await challenge(bob.email, bob.password), recoveryCode: bobMfa.recoveryCodes[0] })).status).toBe(200);
  });

  it('gives a platform admin without MFA only an enrolment token, which opens setup and activation and nothing else', async () => {
    const first = await login(cp.platformAdmin.email, cp.platformAdmin.password);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ mfaEnrollmentRequired: true, enrollmentToken: expect.any(String), expiresIn: 600 });
    const enrollmentToken = first.body.enrollmentToken!;
    for (const [method, url] of [
      ['GET', '/v1/admin/organizations'],
      ['GET', '/v1/auth/mfa'],
      ['GET', '/v1/members'],
    ]) {
      expect((await cp.client.request(method, url, { token: enrollmentToken })).status).toBe(401);
    }
    expect((await cp.client.post('/v1/auth/refresh', { refreshToken: enrollmentToken })).status).toBe(401);
    expect((await loginMfa({ challengeToken: enrollmentToken, code: '123456' })).body.code).toBe('MFA_CHALLENGE_INVALID');

    // Setup with the token in the body, activation with it as the bearer.
    const setup = await cp.client.post<{ secret: string; otpauthUri: string }>('/v1/auth/mfa/setup', { enrollmentToken });
    expect(setup.status).toBe(200);
    expect(setup.body.otpauthUri).toContain(encodeURIComponent(cp.platformAdmin.email));
    const activate = await cp.client.post<{ recoveryCodes: string[] }>('/v1/auth/mfa/activate', { code: codeOf(setup.body.secret) }, { token: enrollmentToken });
    expect(activate.status).toBe(200);
    expect(activate.body.recoveryCodes).toHaveLength(10);
    // Spent by the activation.
    expect((await cp.client.post('/v1/auth/mfa/setup', { enrollmentToken })).status).toBe(401);

    // Signing in again: password, then code.
    const tokens = await loginMfa({ challengeToken: await challenge(cp.platformAdmin.email, cp.platformAdmin.password), code: nextCode(setup.body.secret) });
    expect(tokens.status).toBe(200);
    expect((await cp.client.get('/v1/admin/organizations', { token: tokens.body.accessToken })).status).toBe(200);
    expect((await cp.client.get('/v1/auth/mfa', { token: tokens.body.accessToken })).body).toEqual({ enabled: true, required: true, recoveryCodesLeft: 10 });
    // Required: it cannot be turned off, whatever the proof.
    for (const body of [{ code: nextCode(setup.body.secret) }, { password: cp.platformAdmin.password }, { recoveryCode: activate.body.recoveryCodes[0] }]) {
      const off = await disable(tokens.body.accessToken, body);
      expect(off.status).toBe(409);
      expect(off.body.code).toBe('MFA_REQUIRED');
    }
    // The org-admin policy route is not the platform admin's.
    expect((await cp.client.put('/v1/organization/security', { mfaRequired: true }, { token: tokens.body.accessToken })).status).toBe(403);
  });

  it('an org that requires MFA makes its members enrol, leaves other orgs alone, and only its own admin sets it', async () => {
    const orgA = await signup();
    const orgB = await signup();
    const doctorA = await addDoctor(orgA);
    const doctorB = await addDoctor(orgB);
    const getPolicy = (token: string) => cp.client.get<{ mfaRequired: boolean }>('/v1/organization/security', { token });
    expect((await getPolicy(orgA.accessToken)).body).toEqual({ mfaRequired: false });

    // Org B's admin sets B's policy: it is B's, never A's (no org id is taken from the request).
    expect((await cp.client.put('/v1/organization/security', { mfaRequired: true, organizationId: orgA.organizationId }, { token: orgB.accessToken })).status).toBe(400);
    const setB = await cp.client.put<{ mfaRequired: boolean }>('/v1/organization/security', { mfaRequired: true }, { token: orgB.accessToken });
    expect(setB.status).toBe(200);
    expect(setB.body).toEqual({ mfaRequired: true });
    expect((await getPolicy(orgA.accessToken)).body).toEqual({ mfaRequired: false });
    expect((await login(doctorA.email, doctorA.password)).body.accessToken).toBeDefined();
    expect((await login(doctorB.email, doctorB.password)).body.mfaEnrollmentRequired).toBe(true);

    // A doctor cannot change their org's policy; bad bodies are refused.
    const doctorTokens = await login(doctorA.email, doctorA.password);
    const byDoctor = await cp.client.put<Failure>('/v1/organization/security', { mfaRequired: false }, { token: doctorTokens.body.accessToken });
    expect(byDoctor.status).toBe(403);
    expect(byDoctor.body.code).toBe('ROLE_REQUIRED');
    for (const body of [{}, { mfaRequired: 'yes' }, { mfaRequired: 1 }]) {
      expect((await cp.client.put('/v1/organization/security', body, { token: orgA.accessToken })).status).toBe(400);
    }

    expect((await cp.client.put('/v1/organization/security', { mfaRequired: true }, { token: orgA.accessToken })).status).toBe(200);
    expect(await query('select details from admin_audit_events where action = $1 and target_id = $2', ['organization.security', orgA.organizationId])).toEqual([
      { details: { mfaRequired: true } },
    ]);
    // The doctor's open session is not touched; their next login must enrol, the admin's too.
    expect((await cp.client.get('/v1/auth/mfa', { token: doctorTokens.body.accessToken })).body).toEqual({ enabled: false, required: true, recoveryCodesLeft: 0 });
    const forced = await login(doctorA.email, doctorA.password);
    expect(forced.body).toEqual({ mfaEnrollmentRequired: true, enrollmentToken: expect.any(String), expiresIn: 600 });
    expect((await login(orgA.email, orgA.password)).body.mfaEnrollmentRequired).toBe(true);

    // The enrolment token opens nothing of the org.
    expect((await cp.client.get('/v1/members', { token: forced.body.enrollmentToken })).status).toBe(401);
    const { secret } = await enrol({ enrollmentToken: forced.body.enrollmentToken });
    const tokens = await loginMfa({ challengeToken: await challenge(doctorA.email, doctorA.password), code: nextCode(secret) });
    expect(tokens.status).toBe(200);
    const off = await disable(tokens.body.accessToken, { password: doctorA.password });
    expect(off.status).toBe(409);
    expect(off.body.code).toBe('MFA_REQUIRED');

    // A temporary password is still changed first, before any MFA step.
    const freshEmail = `new-${orgA.organizationId.slice(0, 8)}-${Date.now()}@example.test`;
    const fresh = await cp.client.post<{ temporaryPassword: string }>(
      '/v1/members',
      { name: 'Dr New', email: freshEmail, role: 'doctor', clinicIds: [orgA.clinicId] },
      { token: orgA.accessToken },
    );
    expect(fresh.status).toBe(201);
    const temporary = await login(freshEmail, fresh.body.temporaryPassword);
    expect(temporary.status).toBe(403);
    expect(temporary.body.code).toBe('PASSWORD_CHANGE_REQUIRED');

    // Turned off again: the password alone gives tokens to members without MFA.
    expect((await cp.client.put('/v1/organization/security', { mfaRequired: false }, { token: orgA.accessToken })).status).toBe(200);
    expect((await login(orgA.email, orgA.password)).body.accessToken).toBeDefined();
  });

  it('lets an org admin reset a member’s lost MFA (own org only, never their own), which ends the member’s sessions', async () => {
    const orgA = await signup();
    const orgB = await signup();
    const doctor = await addDoctor(orgA);
    expect((await cp.client.put('/v1/organization/security', { mfaRequired: true }, { token: orgA.accessToken })).status).toBe(200);
    const forced = await login(doctor.email, doctor.password);
    const { secret } = await enrol({ enrollmentToken: forced.body.enrollmentToken });
    const session = await loginMfa({ challengeToken: await challenge(doctor.email, doctor.password), code: nextCode(secret) });
    expect(session.status).toBe(200);
    const reset = (token: string, userId: string) => cp.client.delete<Failure>(`/v1/members/${userId}/mfa`, { token });

    const fromB = await reset(orgB.accessToken, doctor.userId);
    expect(fromB.status).toBe(404);
    expect(fromB.body.code).toBe('MEMBER_NOT_FOUND');
    expect((await reset(session.body.accessToken, doctor.userId)).status).toBe(403);
    expect((await reset(orgA.accessToken, orgA.userId)).status).toBe(400);
    expect((await reset(orgA.accessToken, 'not-a-uuid')).status).toBe(400);
    // Nothing changed for the doctor yet.
    expect((await cp.client.get('/v1/auth/mfa', { token: session.body.accessToken })).body).toMatchObject({ enabled: true });

    expect((await reset(orgA.accessToken, doctor.userId)).status).toBe(204);
    expect((await cp.client.post('/v1/auth/refresh', { refreshToken: session.body.refreshToken })).status).toBe(401);
    expect((await login(doctor.email, doctor.password)).body.mfaEnrollmentRequired).toBe(true);
    expect((await reset(orgA.accessToken, doctor.userId)).body.code).toBe('MFA_NOT_ENABLED');
    expect(await query('select actor_user_id from admin_audit_events where action = $1 and target_id = $2', ['member.mfa_reset', doctor.userId])).toEqual([
      { actor_user_id: orgA.userId },
    ]);
  });

  it('turns MFA off only with a proof, after which the password alone gives tokens again', async () => {
    const user = await signup();
    const { secret, recoveryCodes } = await enrol({ token: user.accessToken });
    const wrongPassword = await disable(user.accessToken, { password: 'not the password at all' });
    expect(wrongPassword.status).toBe(401);
    expect(wrongPassword.body.code).toBe('MFA_CODE_INVALID');
    expect((await disable(user.accessToken, {})).status).toBe(400);
    expect((await disable(user.accessToken, { password: user.password, code: nextCode(secret) })).status).toBe(400);
    expect((await disable(user.accessToken, { recoveryCode: 'AAAA-BBBB-CCCC-DDDD' })).status).toBe(401);

    // New recovery codes need a current code; the old ones stop working.
    const regenerated = await cp.client.post<{ recoveryCodes: string[] }>('/v1/auth/mfa/recovery-codes', { code: nextCode(secret) }, { token: user.accessToken });
    expect(regenerated.status).toBe(200);
    expect(regenerated.body.recoveryCodes).toHaveLength(10);
    expect((await disable(user.accessToken, { recoveryCode: recoveryCodes[0] })).status).toBe(401);

    expect((await disable(user.accessToken, { recoveryCode: regenerated.body.recoveryCodes[0] })).status).toBe(204);
    expect((await cp.client.get('/v1/auth/mfa', { token: user.accessToken })).body).toEqual({ enabled: false, required: false, recoveryCodesLeft: 0 });
    expect(await query('select 1 from mfa_recovery_codes where user_id = $1', [user.userId])).toHaveLength(0);
    expect((await login(user.email, user.password)).body.accessToken).toBeDefined();
    expect((await disable(user.accessToken, { password: user.password })).body.code).toBe('MFA_NOT_ENABLED');
  });

  it('changes the password of an account with MFA only with a code or a recovery code beside it', async () => {
    const user = await signup();
    const { secret, recoveryCodes } = await enrol({ token: user.accessToken });
    const first = 'first new password of mfa';
    expect((await cp.client.post('/v1/auth/password', { email: user.email, currentPassword: user.password, newPassword: first, code: nextCode(secret) })).status).toBe(204);
    const second = 'second new password of mfa';
    expect((await cp.client.post('/v1/auth/password', { email: user.email, currentPassword: first, newPassword: second, recoveryCode: recoveryCodes[0] })).status).toBe(204);
    // Both proofs were spent: the recovery code does not work twice.
    expect((await cp.client.post('/v1/auth/password', { email: user.email, currentPassword: second, newPassword: first, recoveryCode: recoveryCodes[0] })).status).toBe(401);
    expect((await login(user.email, second)).body.mfaRequired).toBe(true);
  });
});
