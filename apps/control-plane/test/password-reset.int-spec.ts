import { createHash, randomInt } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { verify } from '@node-rs/argon2';
import { generateSync } from 'otplib';
import { Client } from 'pg';
import { TokenPair } from '../src/identity/dto/auth.dto';
import { PasswordResetService } from '../src/identity/password-reset.service';
import { MailOutbox } from '../src/mail/mail-outbox';
import { FakeSmtp } from './fake-smtp';
import { cpDb, PASSWORD, signupBody, startTestControlPlane, TestControlPlane } from './support';

type Tokens = Pick<TokenPair, 'accessToken' | 'refreshToken'>;
type Failure = { code: string; message: string };

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CONSOLE_URL = 'http://console.localhost:8080';
const ACCEPTED = { message: 'If an account exists for this address, we have sent a link to reset its password' };
const NEW_PASSWORD = 'a brand new passphrase 7';

/** A client address of its own (the buckets in Redis outlive a run), as the gateway forwards it. */
const address = () => `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
const from = (ip = address()) => ({ headers: { 'x-forwarded-for': ip } });
const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

async function adminQuery<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: cpDb().adminUrl });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/** The outbox folder's messages to one recipient, oldest first, decoded from quoted-printable. */
function mailsTo(dir: string, email: string): string[] {
  const safe = email.toLowerCase().replace('@', '_at_');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.eml') && f.includes(safe))
    .sort()
    .map((f) => decodeQuotedPrintable(readFileSync(join(dir, f), 'utf8')));
}

function decodeQuotedPrintable(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

const isResetMail = (mail: string) => mail.includes('Subject: Reset your MedGenie password');
const linkToken = (mail: string) => /reset-password\?token=([A-Za-z0-9_-]{43})\b/.exec(mail)?.[1];

/** Mail queued by a mail test environment: a control plane whose mail lands in a temporary folder. */
async function startWithOutbox(env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'medgenie-outbox-'));
  const cp = await startTestControlPlane({ MAIL_OUTBOX_DIR: dir, CONSOLE_URL, REDIS_URL, ...env });
  /** Every reset request answered so far has done its work, and every queued message has had its attempt. */
  const settle = async () => {
    await cp.app.get(PasswordResetService).settled();
    await cp.app.get(MailOutbox).idle();
  };
  /** Waits for the `n`-th message to `email` (1-based; of those that `match`) and returns it. */
  const mail = async (email: string, n = 1, match: (mail: string) => boolean = () => true): Promise<string> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      await settle();
      const mails = mailsTo(dir, email).filter(match);
      if (mails.length >= n) return mails[n - 1];
      if (Date.now() > deadline) throw new Error(`no mail #${n} to ${email} within 10 s (${mails.length} there)`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return {
    cp,
    dir,
    settle,
    mail,
    close: async () => {
      await cp.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Env = Awaited<ReturnType<typeof startWithOutbox>>;

async function newAccount(cp: TestControlPlane) {
  const body = signupBody();
  const res = await cp.client.post<Tokens & { userId: string; organizationId: string; clinicId: string }>('/v1/signup', body, from());
  expect(res.status).toBe(201);
  return { email: body.adminEmail, ...res.body };
}

const requestReset = (cp: TestControlPlane, email: string, ip = address()) => cp.client.post<typeof ACCEPTED & Failure>('/v1/auth/password-reset', { email }, from(ip));
const confirm = (cp: TestControlPlane, token: string, newPassword = NEW_PASSWORD, ip = address()) =>
  cp.client.post<Failure>('/v1/auth/password-reset/confirm', { token, newPassword }, from(ip));
const login = (cp: TestControlPlane, email: string, password: string) => cp.client.post<Tokens & Failure>('/v1/auth/login', { email, password }, from());

/** Asks for a reset link and returns the token of the n-th reset mail to that address. */
async function resetToken(env: Env, email: string, n = 1): Promise<string> {
  expect((await requestReset(env.cp, email)).status).toBe(202);
  const token = linkToken(await env.mail(email, n, isResetMail));
  expect(token).toBeDefined();
  return token!;
}

describe('password reset by email', () => {
  let env: Env;
  let cp: TestControlPlane;
  beforeAll(async () => {
    // A lock long enough that it cannot expire while the test runs.
    env = await startWithOutbox({ LOCKOUT_THRESHOLD: '5', LOCKOUT_BASE_SECONDS: '600' });
    cp = env.cp;
  });
  afterAll(() => env?.close());

  it('answers a known and an unknown email alike: 202 and the same body, in about the same time', async () => {
    const { email } = await newAccount(cp);
    const known = await requestReset(cp, email);
    const unknown = await requestReset(cp, `nobody-${email}`);
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(known.body).toEqual(ACCEPTED);
    expect(unknown.body).toEqual(ACCEPTED);
    expect(Object.keys(known.headers).sort()).toEqual(Object.keys(unknown.headers).sort());

    // Timing: the medians of 10 tries each, interleaved. The work is done after the answer, so a
    // known email must not take three times as long as an unknown one.
    const times = { known: [] as number[], unknown: [] as number[] };
    for (let i = 0; i < 10; i += 1) {
      for (const kind of ['known', 'unknown'] as const) {
        const started = performance.now();
        expect((await requestReset(cp, kind === 'known' ? email : `nobody-${i}-${email}`)).status).toBe(202);
        times[kind].push(performance.now() - started);
      }
      await env.settle();
    }
    const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
    expect(median(times.known)).toBeLessThan(3 * Math.max(median(times.unknown), 2));

    // Mail goes to the account only.
    await env.settle();
    expect(mailsTo(env.dir, `nobody-${email}`)).toEqual([]);
    expect(mailsTo(env.dir, email).length).toBeGreaterThanOrEqual(1);
  });

  it('emails a link whose token works once: of 8 parallel confirmations one gets 204, the others 400 RESET_TOKEN_INVALID', async () => {
    const { email, userId } = await newAccount(cp);
    const token = await resetToken(env, email);
    const mail = await env.mail(email, 1, isResetMail);
    expect(mail).toContain(`To: ${email}`);
    expect(mail).toContain('Subject: Reset your MedGenie password');
    expect(mail).toContain(`${CONSOLE_URL}/reset-password?token=${token}`);
    expect(mail).toContain('text/html');

    // Only its SHA-256 is stored, and nothing of the message is left in the queue once sent.
    const rows = await adminQuery<{ token_hash: string }>('select token_hash from password_reset_tokens where user_id = $1', [userId]);
    expect(rows.map((r) => r.token_hash)).toEqual([sha256(token)]);
    expect(await adminQuery('select id from mail_outbox where user_id = $1', [userId])).toEqual([]);

    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => confirm(cp, token, `${NEW_PASSWORD} ${i}`)));
    const winners = results.filter((r) => r.status === 204);
    expect(winners).toHaveLength(1);
    for (const loser of results.filter((r) => r.status !== 204)) {
      expect(loser.status).toBe(400);
      expect(loser.body.code).toBe('RESET_TOKEN_INVALID');
    }
    // The winner's password is the one set (checked against the stored hash: eight logins would
    // trip the lockout); the old one no longer works.
    const [{ password_hash: stored }] = await adminQuery<{ password_hash: string }>('select password_hash from users where id = $1', [userId]);
    const matches = await Promise.all(Array.from({ length: 8 }, (_, i) => verify(stored, `${NEW_PASSWORD} ${i}`)));
    expect(matches.filter(Boolean)).toHaveLength(1);
    expect(matches.indexOf(true)).toBe(results.findIndex((r) => r.status === 204));
    expect((await login(cp, email, `${NEW_PASSWORD} ${matches.indexOf(true)}`)).status).toBe(200);
    expect((await login(cp, email, PASSWORD)).status).toBe(401);
    // Spent: once more is refused too.
    expect((await confirm(cp, token)).body.code).toBe('RESET_TOKEN_INVALID');
  });

  it('refuses an expired token, a made-up one and a malformed one with 400 RESET_TOKEN_INVALID', async () => {
    const { email, userId } = await newAccount(cp);
    const token = await resetToken(env, email);
    await adminQuery(`update password_reset_tokens set expires_at = now() - interval '1 second' where user_id = $1`, [userId]);
    for (const t of [token, 'A'.repeat(43), 'not a token']) {
      const res = await confirm(cp, t);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('RESET_TOKEN_INVALID');
    }
    expect((await login(cp, email, PASSWORD)).status).toBe(200);
  });

  it('works with the newest link only: a new request supersedes the earlier token', async () => {
    const { email } = await newAccount(cp);
    const first = await resetToken(env, email, 1);
    const second = await resetToken(env, email, 2);
    expect(second).not.toBe(first);
    expect((await confirm(cp, first)).body.code).toBe('RESET_TOKEN_INVALID');
    expect((await confirm(cp, second)).status).toBe(204);
    expect((await login(cp, email, NEW_PASSWORD)).status).toBe(200);
  });

  it('keeps the link working after a refused (weak) password', async () => {
    const { email } = await newAccount(cp);
    const token = await resetToken(env, email);
    const weak = await confirm(cp, token, 'aaaaaaaaaaaaaaaa');
    expect(weak.status).toBe(400);
    expect(weak.body.code).toBe('WEAK_PASSWORD');
    expect((await confirm(cp, token)).status).toBe(204);
  });

  it('lets a locked-out account in again, and clears a temporary password', async () => {
    const { email, userId } = await newAccount(cp);
    for (let i = 0; i < 5; i += 1) await login(cp, email, `wrong guess ${i}`);
    const locked = await login(cp, email, PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('ACCOUNT_LOCKED');
    await adminQuery('update users set must_change_password = true where id = $1', [userId]);

    const token = await resetToken(env, email);
    expect((await confirm(cp, token)).status).toBe(204);
    const res = await login(cp, email, NEW_PASSWORD);
    expect(res.status).toBe(200);
    expect(res.body.accessToken).toBeDefined();
    expect(await adminQuery('select failed_logins, locked_until, must_change_password from users where id = $1', [userId])).toEqual([
      { failed_logins: 0, locked_until: null, must_change_password: false },
    ]);
  });

  it('ends every session of the account: tokens from before the reset are refused, and the region is told', async () => {
    const { email, organizationId, accessToken, refreshToken: fromSignup } = await newAccount(cp);
    const other = await login(cp, email, PASSWORD);
    const members = (token: string) => cp.client.get<Failure>('/v1/members', { token });
    expect((await members(accessToken)).status).toBe(200);
    const token = await resetToken(env, email);
    expect((await confirm(cp, token)).status).toBe(204);
    for (const refreshToken of [fromSignup, other.body.refreshToken]) {
      expect((await cp.client.post('/v1/auth/refresh', { refreshToken }, from())).status).toBe(401);
    }
    for (const access of [accessToken, other.body.accessToken]) {
      const refused = await members(access);
      expect(refused.status).toBe(401);
      expect(refused.body.code).toBe('SESSION_ENDED');
    }
    const sessionOf = (jwt: string) => (JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString()) as { sid: string }).sid;
    const pushed = cp.regions.in.calls
      .filter((c) => c.method === 'POST' && c.url === `/internal/v1/organizations/${organizationId}/ended-sessions`)
      .flatMap((c) => (c.body.sessions as { sessionId: string }[]).map((x) => x.sessionId));
    expect(pushed).toEqual(expect.arrayContaining([sessionOf(accessToken), sessionOf(other.body.accessToken)]));
    const fresh = await login(cp, email, NEW_PASSWORD);
    expect((await cp.client.post('/v1/auth/refresh', { refreshToken: fresh.body.refreshToken }, from())).status).toBe(200);
  });

  it('does not get past a second factor: after a reset, the new password still asks for the MFA code', async () => {
    const { email, accessToken } = await newAccount(cp);
    const setup = await cp.client.post<{ secret: string }>('/v1/auth/mfa/setup', { password: PASSWORD }, { token: accessToken });
    expect(setup.status).toBe(200);
    expect((await cp.client.post('/v1/auth/mfa/activate', { code: generateSync({ secret: setup.body.secret }) }, { token: accessToken })).status).toBe(200);

    expect((await confirm(cp, await resetToken(env, email))).status).toBe(204);
    const res = await cp.client.post<Record<string, unknown>>('/v1/auth/login', { email, password: NEW_PASSWORD }, from());
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mfaRequired: true });
    expect(res.body).not.toHaveProperty('accessToken');
  });

  it('sends nothing to a disabled identity, and records a reset in the audit trail', async () => {
    const { email, userId } = await newAccount(cp);
    await adminQuery(`update users set status = 'disabled' where id = $1`, [userId]);
    const res = await requestReset(cp, email);
    expect(res.status).toBe(202);
    expect(res.body).toEqual(ACCEPTED);
    await env.settle();
    expect(mailsTo(env.dir, email).filter((m) => linkToken(m))).toEqual([]);
    expect(await adminQuery('select id from password_reset_tokens where user_id = $1', [userId])).toEqual([]);

    const active = await newAccount(cp);
    expect((await confirm(cp, await resetToken(env, active.email))).status).toBe(204);
    const audit = await adminQuery<{ action: string; actor_user_id: string }>('select action, actor_user_id from admin_audit_events where target_id = $1', [
      active.userId,
    ]);
    expect(audit).toEqual([{ action: 'user.password_reset', actor_user_id: active.userId }]);
  });

  it('sends nothing to a member of a suspended organization', async () => {
    const { email, organizationId, userId } = await newAccount(cp);
    await adminQuery(`update organizations set status = 'suspended' where id = $1`, [organizationId]);
    expect((await requestReset(cp, email)).status).toBe(202);
    await env.settle();
    expect(await adminQuery('select id from password_reset_tokens where user_id = $1', [userId])).toEqual([]);
  });
});

describe('password reset: throttling', () => {
  let env: Env;
  let cp: TestControlPlane;
  beforeAll(async () => {
    env = await startWithOutbox({
      PASSWORD_RESET_RATE_PER_ADDRESS: '1',
      PASSWORD_RESET_BURST_PER_ADDRESS: '4',
      PASSWORD_RESET_RATE_PER_ACCOUNT: '1',
      PASSWORD_RESET_BURST_PER_ACCOUNT: '2',
    });
    cp = env.cp;
  });
  afterAll(() => env?.close());

  it('answers 429 RATE_LIMITED to a flood of requests from one address, whatever the emails', async () => {
    const ip = address();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await requestReset(cp, `flood-${i}-${randomInt(1e9)}@example.test`, ip)).status);
    expect(statuses).toEqual([202, 202, 202, 202, 429, 429]);
    expect((await requestReset(cp, `other-${randomInt(1e9)}@example.test`)).status).toBe(202);
  });

  it('bounds the links one account gets from many addresses, known or unknown alike', async () => {
    const { email } = await newAccount(cp);
    const unknown = `nobody-${email}`;
    for (const target of [email, unknown]) {
      const statuses: number[] = [];
      for (let i = 0; i < 4; i += 1) statuses.push((await requestReset(cp, target)).status);
      expect(statuses).toEqual([202, 202, 429, 429]);
    }
    await env.settle();
    expect(mailsTo(env.dir, email)).toHaveLength(3); // the welcome and two links
  });

  it('answers 429 to a flood of confirmations from one address', async () => {
    const ip = address();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await confirm(cp, `guess${i}`.padEnd(43, 'x'), NEW_PASSWORD, ip)).status);
    expect(statuses).toEqual([400, 400, 400, 400, 429]);
  });
});

describe('mail to members and at signup', () => {
  let env: Env;
  let cp: TestControlPlane;
  beforeAll(async () => {
    env = await startWithOutbox();
    cp = env.cp;
  });
  afterAll(() => env?.close());

  it('welcomes a new organization’s admin', async () => {
    const body = signupBody({ organizationName: 'Clinic <b>Bold</b> & Co' });
    expect((await cp.client.post('/v1/signup', body, from())).status).toBe(201);
    const mail = await env.mail(body.adminEmail);
    expect(mail).toContain('Welcome to MedGenie');
    expect(mail).toContain(CONSOLE_URL);
    expect(mail).toContain('Clinic &lt;b&gt;Bold&lt;/b&gt; &amp; Co'); // escaped in the HTML
  });

  it('answers a signup with a taken email 202 "check your email", creates nothing, and tells the owner', async () => {
    const { email } = await newAccount(cp);
    await env.mail(email); // the welcome
    const attempt = signupBody({ adminEmail: email.toUpperCase(), organizationName: 'Phishing Org, call +1 555 0100' });
    const res = await cp.client.post<Record<string, unknown>>('/v1/signup', attempt, from());
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'check_your_email', message: 'Check your email to continue' });
    expect(res.body).not.toHaveProperty('accessToken');
    expect(await adminQuery('select id from organizations where slug = $1', [attempt.slug])).toEqual([]);
    expect(await adminQuery('select id from users where lower(email) = $1', [email])).toHaveLength(1);

    const mail = await env.mail(email, 2);
    expect(mail).toContain('Subject: Someone tried to sign up to MedGenie with your email');
    expect(mail).toContain(`${CONSOLE_URL}/reset-password`);
    expect(linkToken(mail)).toBeUndefined();
    expect(mail).not.toContain('Phishing Org');

    // The owner hears of it once an hour, however many attempts.
    expect((await cp.client.post('/v1/signup', signupBody({ adminEmail: email }), from())).status).toBe(202);
    await env.settle();
    expect(mailsTo(env.dir, email)).toHaveLength(2);
  });

  it('answers a taken email after the other checks: a taken slug is still 409 SLUG_TAKEN', async () => {
    const first = await newAccount(cp);
    const org = await adminQuery<{ slug: string }>('select slug from organizations where id = $1', [first.organizationId]);
    const res = await cp.client.post<Failure>('/v1/signup', signupBody({ slug: org[0].slug, adminEmail: first.email }), from());
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('SLUG_TAKEN');
  });

  it('emails a new member their temporary password, and a new one when an admin resets it', async () => {
    const org = await newAccount(cp);
    const email = `member-${org.organizationId.slice(0, 8)}@example.test`;
    const created = await cp.client.post<{ userId: string; temporaryPassword: string }>(
      '/v1/members',
      { name: 'Dr Mail', email, role: 'doctor', clinicIds: [org.clinicId] },
      { token: org.accessToken },
    );
    expect(created.status).toBe(201);
    const first = await env.mail(email);
    expect(first).toContain(`Temporary password: ${created.body.temporaryPassword}`);
    expect(first).toContain('must change this password at your first sign-in');
    expect(first).toContain(CONSOLE_URL);
    expect(first).toMatch(/Subject: Your MedGenie temporary password for Org /);

    const reset = await cp.client.post<{ temporaryPassword: string }>(`/v1/members/${created.body.userId}/temporary-password`, {}, { token: org.accessToken });
    expect(reset.status).toBe(200);
    const second = await env.mail(email, 2);
    expect(second).toContain(`Temporary password: ${reset.body.temporaryPassword}`);
    expect(second).toContain('new temporary password');
  });
});

describe('mail when the relay is down', () => {
  let cp: TestControlPlane;
  beforeAll(async () => {
    // Nothing listens on port 1: every attempt fails at once.
    cp = await startTestControlPlane({ SMTP_URL: 'smtp://user:secret@127.0.0.1:1', REDIS_URL, MAIL_MAX_ATTEMPTS: '2', MAIL_RETRY_BASE_SECONDS: '1' });
  });
  afterAll(() => cp?.close());

  it('still answers, keeps the message queued and sealed, retries it, then gives it up and erases it', async () => {
    const { email, userId } = await newAccount(cp);
    expect((await requestReset(cp, email)).status).toBe(202);
    await cp.app.get(PasswordResetService).settled();
    await cp.app.get(MailOutbox).idle();
    type Row = { kind: string; status: string; attempts: number; sealed_message: string | null; last_error: string | null };
    const rows = () => adminQuery<Row>('select kind, status, attempts, sealed_message, last_error from mail_outbox where user_id = $1 order by kind', [userId]);
    const first = await rows();
    expect(first.map((r) => [r.kind, r.status, r.attempts])).toEqual([
      ['password_reset', 'pending', 1],
      ['welcome', 'pending', 1],
    ]);
    for (const r of first) {
      expect(r.last_error).toBeTruthy();
      expect(r.sealed_message).toMatch(/^v1:/);
      expect(r.sealed_message).not.toContain('reset-password');
    }

    // Due again (after the backoff), the second failure gives it up: the content is erased.
    await adminQuery(`update mail_outbox set next_attempt_at = now() where user_id = $1`, [userId]);
    await cp.app.get(MailOutbox).drain();
    expect((await rows()).map((r) => [r.kind, r.status, r.attempts, r.sealed_message])).toEqual([
      ['password_reset', 'failed', 2, null],
      ['welcome', 'failed', 2, null],
    ]);
  });
});

describe('mail through an SMTP relay', () => {
  let smtp: FakeSmtp;
  let cp: TestControlPlane;
  beforeAll(async () => {
    smtp = await new FakeSmtp().start();
    cp = await startTestControlPlane({
      SMTP_URL: `smtp://mailer:relay-secret@127.0.0.1:${smtp.port}`,
      MAIL_FROM: 'MedGenie Test <no-reply@medgenie.test>',
      CONSOLE_URL,
      REDIS_URL,
    });
  });
  afterAll(async () => {
    await cp?.close();
    await smtp?.stop();
  });

  const settle = async () => {
    await cp.app.get(PasswordResetService).settled();
    await cp.app.get(MailOutbox).idle();
  };

  it('sends the reset link through the relay (authenticated), and retries a message the relay refused', async () => {
    smtp.refuse = 1; // the welcome is refused once
    const { email, userId } = await newAccount(cp);
    await settle();
    expect(await adminQuery<{ kind: string; attempts: number }>('select kind, attempts from mail_outbox where user_id = $1', [userId])).toEqual([
      { kind: 'welcome', attempts: 1 },
    ]);

    expect((await requestReset(cp, email)).status).toBe(202);
    await settle();
    const reset = smtp.received.find((m) => m.to.includes(`<${email}>`));
    expect(reset).toMatchObject({ user: 'mailer', from: '<no-reply@medgenie.test>' });
    const token = linkToken(decodeQuotedPrintable(reset!.data));
    expect(token).toBeDefined();
    expect((await confirm(cp, token!)).status).toBe(204);

    // The refused welcome, due again, goes through and leaves the queue.
    await adminQuery('update mail_outbox set next_attempt_at = now() where user_id = $1', [userId]);
    await cp.app.get(MailOutbox).drain();
    expect(smtp.received.filter((m) => m.to.includes(`<${email}>`))).toHaveLength(2);
    expect(await adminQuery('select id from mail_outbox where user_id = $1', [userId])).toEqual([]);
  });
});
