import { randomInt } from 'node:crypto';
import { TokenPair } from '../src/identity/dto/auth.dto';
import { PasswordHasher } from '../src/identity/password-hasher';
import { UsersRepository } from '../src/identity/users.repository';
import { PASSWORD, signupBody, startTestControlPlane, TestControlPlane } from './support';

type Tokens = Pick<TokenPair, 'accessToken' | 'refreshToken'>;
type Failure = { code: string };

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A client address of its own (the buckets in Redis outlive a run), as the gateway forwards it. */
const address = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });

async function newAccount(cp: TestControlPlane, ip = address()) {
  const body = signupBody();
  const res = await cp.client.post<Tokens & { userId: string }>('/v1/signup', body, from(ip));
  expect(res.status).toBe(201);
  return { email: body.adminEmail, userId: res.body.userId };
}

describe('login attacks: lockout and refresh races (throttling out of the way)', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    // A lock long enough that it cannot expire while the test runs.
    cp = await startTestControlPlane({ REDIS_URL, LOCKOUT_THRESHOLD: '5', LOCKOUT_BASE_SECONDS: '600' });
  });
  afterAll(() => cp?.close());
  afterEach(() => jest.restoreAllMocks());

  it('verifies at most LOCKOUT_THRESHOLD of 100 parallel guesses, and refuses the right password once locked', async () => {
    const { email } = await newAccount(cp);
    const verify = jest.spyOn(cp.app.get(PasswordHasher), 'verify');

    const guesses = await Promise.all(
      Array.from({ length: 100 }, (_, i) => cp.client.post<Failure>('/v1/auth/login', { email, password: `wrong guess ${i}` }, from(address()))),
    );
    expect(verify.mock.calls.length).toBeLessThanOrEqual(5);
    expect(guesses.every((r) => r.status === 401 || (r.status === 429 && r.body.code === 'ACCOUNT_LOCKED'))).toBe(true);
    expect(guesses.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(95);

    // The right password amid more guesses, while locked: the locked answer, and nothing verified.
    const checked = verify.mock.calls.length;
    const amid = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => cp.client.post<Failure & Partial<Tokens>>('/v1/auth/login', { email, password: `late guess ${i}` }, from(address()))),
      cp.client.post<Failure & Partial<Tokens>>('/v1/auth/login', { email, password: PASSWORD }, from(address())),
    ]);
    for (const r of amid) {
      expect(r.status).toBe(429);
      expect(r.body.code).toBe('ACCOUNT_LOCKED');
      expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    expect(amid.at(-1)?.body.accessToken).toBeUndefined();
    expect(verify.mock.calls.length).toBe(checked);
  });

  it('of 10 parallel refreshes of one token, one gets tokens and the others 401; the winner’s session lives on', async () => {
    const { email } = await newAccount(cp);
    const login = await cp.client.post<Tokens>('/v1/auth/login', { email, password: PASSWORD }, from(address()));
    expect(login.status).toBe(200);
    const token = login.body.refreshToken;

    const results = await Promise.all(Array.from({ length: 10 }, () => cp.client.post<Tokens & Failure>('/v1/auth/refresh', { refreshToken: token }, from(address()))));
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    for (const loser of results.filter((r) => r.status !== 200)) {
      expect(loser.status).toBe(401);
      expect(loser.body.code).toBe('INVALID_REFRESH_TOKEN');
    }
    const next = await cp.client.post<Tokens>('/v1/auth/refresh', { refreshToken: winners[0].body.refreshToken }, from(address()));
    expect(next.status).toBe(200);

    // Once the session moved on, the first token coming back is reuse: the family ends.
    const reuse = await cp.client.post<Failure>('/v1/auth/refresh', { refreshToken: token }, from(address()));
    expect(reuse.status).toBe(401);
    expect(reuse.body.code).toBe('REFRESH_TOKEN_REUSED');
    expect((await cp.client.post('/v1/auth/refresh', { refreshToken: next.body.refreshToken }, from(address()))).status).toBe(401);
  });

  it('a refresh refused for another reason (a disabled user) leaves the token usable', async () => {
    const { email, userId } = await newAccount(cp);
    const login = await cp.client.post<Tokens>('/v1/auth/login', { email, password: PASSWORD }, from(address()));
    const users = cp.app.get(UsersRepository);

    await users.update(userId, { status: 'disabled' });
    expect((await cp.client.post('/v1/auth/refresh', { refreshToken: login.body.refreshToken }, from(address()))).status).toBe(401);
    await users.update(userId, { status: 'active' });
    expect((await cp.client.post('/v1/auth/refresh', { refreshToken: login.body.refreshToken }, from(address()))).status).toBe(200);
  });
});

describe('login attacks: throttling', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startTestControlPlane({
      REDIS_URL,
      LOGIN_RATE_PER_ADDRESS: '1',
      LOGIN_BURST_PER_ADDRESS: '3',
      LOGIN_RATE_PER_ACCOUNT: '60', // one a second
      LOGIN_BURST_PER_ACCOUNT: '5',
      SIGNUP_RATE_PER_ADDRESS: '1',
      SIGNUP_BURST_PER_ADDRESS: '2',
      LOCKOUT_THRESHOLD: '5',
      LOCKOUT_BASE_SECONDS: '1',
      LOCKOUT_MAX_SECONDS: '2',
    });
  });
  afterAll(() => cp?.close());

  it('answers 429 RATE_LIMITED with Retry-After to a flood from one address, while another address still logs in', async () => {
    const { email } = await newAccount(cp);
    const flooding = address();
    const statuses: number[] = [];
    let limited: { status: number; body: Failure; headers: Record<string, unknown> } | undefined;
    for (let i = 0; i < 5; i += 1) {
      const res = await cp.client.post<Failure>('/v1/auth/login', { email, password: PASSWORD }, from(flooding));
      statuses.push(res.status);
      if (res.status === 429) limited = res;
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(limited?.body.code).toBe('RATE_LIMITED');
    expect(Number(limited?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Another address is untouched.
    expect((await cp.client.post('/v1/auth/login', { email, password: PASSWORD }, from(address()))).status).toBe(200);
  });

  it('bounds guesses at one account from many addresses, and no one locks the platform admin for longer than LOCKOUT_MAX_SECONDS', async () => {
    const { email, password } = cp.platformAdmin;
    const verify = jest.spyOn(cp.app.get(PasswordHasher), 'verify');
    const wave = () => Promise.all(Array.from({ length: 40 }, (_, i) => cp.client.post<Failure>('/v1/auth/login', { email, password: `guess ${i}` }, from(address()))));

    const first = await wave();
    // The account's bucket (burst 5) lets few through, whatever the number of addresses.
    expect(first.filter((r) => r.body.code === 'RATE_LIMITED').length).toBeGreaterThanOrEqual(30);
    await sleep(1_100);
    const second = await wave();
    await sleep(2_100);
    const third = await wave();
    const lockedAnswers = [...first, ...second, ...third].filter((r) => r.body.code === 'ACCOUNT_LOCKED');
    expect(lockedAnswers.length).toBeGreaterThan(0);
    for (const r of lockedAnswers) expect(Number(r.headers['retry-after'])).toBeLessThanOrEqual(2);
    expect(verify.mock.calls.length).toBeLessThanOrEqual(15);
    verify.mockRestore();

    // Once the flood stops, the admin is back in within LOCKOUT_MAX_SECONDS (and the account's bucket refills as fast).
    await sleep(2_100);
    expect((await cp.client.post('/v1/auth/login', { email, password }, from(address()))).status).toBe(200);
  });

  it('answers 429 RATE_LIMITED to a flood of signups from one address', async () => {
    const ip = address();
    const results = [];
    for (let i = 0; i < 4; i += 1) results.push(await cp.client.post<Failure>('/v1/signup', signupBody(), from(ip)));
    expect(results.map((r) => r.status)).toEqual([201, 201, 429, 429]);
    expect(results[2].body.code).toBe('RATE_LIMITED');
    expect(Number(results[2].headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await cp.client.post('/v1/signup', signupBody(), from(address()))).status).toBe(201);
  });
});

describe('login attacks: throttling with Redis down', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    cp = await startTestControlPlane({ REDIS_URL: 'redis://127.0.0.1:1', LOGIN_RATE_PER_ADDRESS: '1', LOGIN_BURST_PER_ADDRESS: '2' });
  });
  afterAll(() => cp?.close());

  it('keeps throttling in the instance instead of failing open or answering an error', async () => {
    const { email } = await newAccount(cp);
    const ip = address();
    const statuses: number[] = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await cp.client.post('/v1/auth/login', { email, password: PASSWORD }, from(ip))).status);
    expect(statuses).toEqual([200, 200, 429]);
  });
});
