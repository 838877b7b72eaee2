import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { TokenPair } from '../src/identity/dto/auth.dto';
import { PASSWORD, signupBody, startTestControlPlane, TestControlPlane } from './support';

type Tokens = Pick<TokenPair, 'accessToken' | 'refreshToken'>;

describe('identity', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startTestControlPlane();
  });
  afterAll(() => cp?.close());

  async function newAccount() {
    const body = signupBody();
    const res = await cp.client.post<Tokens & { userId: string }>('/v1/signup', body);
    expect(res.status).toBe(201);
    return { email: body.adminEmail, ...res.body };
  }

  it('logs in, refreshes with rotation, and ends the whole family when a spent refresh token comes back', async () => {
    const { email } = await newAccount();
    const login = await cp.client.post<Tokens>('/v1/auth/login', { email, password: PASSWORD });
    expect(login.status).toBe(200);
    const first = login.body.refreshToken;
    const second = await cp.client.post<Tokens>('/v1/auth/refresh', { refreshToken: first });
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first);
    const third = await cp.client.post<Tokens>('/v1/auth/refresh', { refreshToken: second.body.refreshToken });
    expect(third.status).toBe(200);

    const reuse = await cp.client.post<{ code: string }>('/v1/auth/refresh', { refreshToken: first });
    expect(reuse.status).toBe(401);
    expect(reuse.body.code).toBe('REFRESH_TOKEN_REUSED');
    // The newest token of that family is dead too.
    expect((await cp.client.post('/v1/auth/refresh', { refreshToken: third.body.refreshToken })).status).toBe(401);
    // Another session of the same user is untouched.
    const other = await cp.client.post<Tokens>('/v1/auth/login', { email, password: PASSWORD });
    expect((await cp.client.post('/v1/auth/refresh', { refreshToken: other.body.refreshToken })).status).toBe(200);
  });

  it('logout ends the session family', async () => {
    const { email } = await newAccount();
    const login = await cp.client.post<Tokens>('/v1/auth/login', { email, password: PASSWORD });
    expect((await cp.client.post('/v1/auth/logout', { refreshToken: login.body.refreshToken })).status).toBe(204);
    expect((await cp.client.post('/v1/auth/refresh', { refreshToken: login.body.refreshToken })).status).toBe(401);
  });

  it('answers the same 401 for an unknown email and a wrong password', async () => {
    const { email } = await newAccount();
    const wrong = await cp.client.post<{ code: string; message: string }>('/v1/auth/login', { email, password: 'not the password at all' });
    const unknown = await cp.client.post<{ code: string; message: string }>('/v1/auth/login', { email: `nobody-${email}`, password: 'whatever password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(unknown.body.message).toBe(wrong.body.message);
  });

  it('answers an unknown email as it answers a known one through a whole guessing run: the same statuses, codes and messages, the lock included', async () => {
    const { email } = await newAccount();
    const unknownEmail = `nobody-${email}`;
    const run = async (address: string) => {
      const answers: string[] = [];
      for (let i = 0; i < 7; i += 1) {
        const res = await cp.client.post<{ code: string; message: string }>('/v1/auth/login', { email: address, password: `wrong password ${i}` });
        answers.push(`${res.status} ${res.body.code} ${res.body.message.replace(/\d+ s/, 'N s')}`);
      }
      return answers;
    };
    const [known, unknown] = await Promise.all([run(email), run(unknownEmail)]);
    expect(known.slice(4)).toEqual(Array(3).fill('429 ACCOUNT_LOCKED Too many failed attempts; try again in N s'));
    expect(unknown).toEqual(known);
  });

  it('spends about the same time on an unknown email as on a wrong password for a known one', async () => {
    const { email } = await newAccount();
    const time = async (address: string) => {
      const started = process.hrtime.bigint();
      const res = await cp.client.post('/v1/auth/login', { email: address, password: 'not the password at all' });
      expect(res.status).toBe(401);
      return Number(process.hrtime.bigint() - started) / 1e6;
    };
    const known: number[] = [];
    const unknown: number[] = [];
    // Interleaved, four of each (under the lock threshold), each address fresh per pair.
    for (let i = 0; i < 4; i += 1) {
      known.push(await time(email));
      unknown.push(await time(`nobody-${i}-${email}`));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const ratio = median(unknown) / median(known);
    // Both verify an argon2 hash; a path that skipped it would be several times faster.
    expect(ratio).toBeGreaterThan(0.33);
    expect(ratio).toBeLessThan(3);
  });

  it('locks an account after repeated failures, with growing backoff, and refuses even the right password meanwhile', async () => {
    const { email } = await newAccount();
    for (let i = 0; i < 4; i += 1) {
      expect((await cp.client.post('/v1/auth/login', { email, password: `wrong password ${i}` })).status).toBe(401);
    }
    const fifth = await cp.client.post<{ code: string }>('/v1/auth/login', { email, password: 'wrong password 5' });
    expect(fifth.status).toBe(429);
    expect(fifth.body.code).toBe('ACCOUNT_LOCKED');
    expect(Number(fifth.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const locked = await cp.client.post('/v1/auth/login', { email, password: PASSWORD });
    expect(locked.status).toBe(429);

    await new Promise((r) => setTimeout(r, 2_100)); // base lockout is 2 s in tests
    const sixth = await cp.client.post('/v1/auth/login', { email, password: 'wrong again' });
    expect(sixth.status).toBe(429);
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThanOrEqual(3); // doubled: 4 s
    await new Promise((r) => setTimeout(r, 4_100));
    expect((await cp.client.post('/v1/auth/login', { email, password: PASSWORD })).status).toBe(200);
    // Success resets the counter.
    expect((await cp.client.post('/v1/auth/login', { email, password: 'one slip' })).status).toBe(401);
  });

  it('changes a password, revoking existing sessions', async () => {
    const { email } = await newAccount();
    const login = await cp.client.post<Tokens>('/v1/auth/login', { email, password: PASSWORD });
    const newPassword = 'a brand new passphrase 42';
    expect((await cp.client.post('/v1/auth/password', { email, currentPassword: PASSWORD, newPassword })).status).toBe(204);
    expect((await cp.client.post('/v1/auth/refresh', { refreshToken: login.body.refreshToken })).status).toBe(401);
    expect((await cp.client.post('/v1/auth/login', { email, password: PASSWORD })).status).toBe(401);
    expect((await cp.client.post('/v1/auth/login', { email, password: newPassword })).status).toBe(200);
  });

  it('rotates keys: new tokens carry the new kid, old tokens stay valid, both keys are published', async () => {
    const { email } = await newAccount();
    const before = await cp.client.post<Tokens>('/v1/auth/login', { email, password: PASSWORD });
    const oldKid = decodeProtectedHeader(before.body.accessToken).kid;

    const admin = await cp.client.post<Tokens>('/v1/auth/login', cp.platformAdmin);
    expect(admin.status).toBe(200);
    const rotated = await cp.client.post<{ kid: string; retiredKid: string }>('/v1/admin/keys/rotate', {}, { token: admin.body.accessToken });
    expect(rotated.status).toBe(200);
    expect(rotated.body.retiredKid).toBe(oldKid);

    const after = await cp.client.post<Tokens>('/v1/auth/login', { email, password: PASSWORD });
    expect(decodeProtectedHeader(after.body.accessToken).kid).toBe(rotated.body.kid);

    const jwks = await cp.client.get<{ keys: { kid: string; d?: string }[] }>('/.well-known/jwks.json');
    expect(jwks.body.keys.map((k) => k.kid)).toEqual(expect.arrayContaining([oldKid, rotated.body.kid]));
    expect(jwks.body.keys.every((k) => k.d === undefined)).toBe(true);
    const keySet = createLocalJWKSet(jwks.body as never);
    for (const token of [before.body.accessToken, after.body.accessToken]) {
      await expect(jwtVerify(token, keySet, { issuer: 'https://console.medgenie.test', audience: 'medgenie-api' })).resolves.toBeTruthy();
    }
    // The control plane itself still accepts the old admin token.
    expect((await cp.client.get('/v1/admin/audit', { token: admin.body.accessToken })).status).toBe(200);
  });
});
