import { resolve } from 'node:path';
import { ConfigError, loadControlPlaneConfig } from './control-plane.config';

const BASE = {
  DATABASE_URL: 'postgres://app@127.0.0.1/medgenie_test',
  KEY_ENCRYPTION_SECRET: 'k'.repeat(32),
  REGION_SERVICE_TOKENS: '{}',
  GATEWAY_SERVICE_TOKEN: 'g'.repeat(32),
};

const load = (env: Record<string, string>) => loadControlPlaneConfig({ ...BASE, ...env });

function refusal(env: Record<string, string>): string {
  try {
    load(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('USAGE_COLLECT_INTERVAL_MINUTES', () => {
  it('defaults to hourly', () => {
    expect(load({}).usage.collectIntervalMs).toBe(60 * 60_000);
  });

  it.each([
    ['0', 0],
    ['15', 15 * 60_000],
    ['1440', 24 * 60 * 60_000],
  ])('takes %s minutes (0: off)', (raw, ms) => {
    expect(load({ USAGE_COLLECT_INTERVAL_MINUTES: raw }).usage.collectIntervalMs).toBe(ms);
  });

  it.each(['', '-1', '1.5', '1e3', ' 5', 'hourly', '1441'])('refuses %j with a message naming the key and the rule', (raw) => {
    expect(refusal({ USAGE_COLLECT_INTERVAL_MINUTES: raw })).toContain('USAGE_COLLECT_INTERVAL_MINUTES: must be a whole number of minutes from 0 (off) to 1440');
  });
});

describe('FLAG_METRICS_RETENTION_DAYS', () => {
  it('defaults to 90 days', () => {
    expect(load({}).flags.metricsRetentionDays).toBe(90);
  });

  it('takes a whole number of days from 1', () => {
    expect(load({ FLAG_METRICS_RETENTION_DAYS: '1' }).flags.metricsRetentionDays).toBe(1);
    expect(load({ FLAG_METRICS_RETENTION_DAYS: '400' }).flags.metricsRetentionDays).toBe(400);
  });

  it.each(['0', '-5', '2.5', 'forever', '3651'])('refuses %j', (raw) => {
    expect(refusal({ FLAG_METRICS_RETENTION_DAYS: raw })).toMatch(/^ {2}FLAG_METRICS_RETENTION_DAYS: /m);
  });
});

describe('billing (Stripe)', () => {
  it('is off without a key (or with an empty one, as docker-compose passes it), with a 7-day grace and the console as the return page', () => {
    for (const env of [{}, { STRIPE_SECRET_KEY: '' }] as Record<string, string>[]) {
      expect(load(env).billing).toMatchObject({ secretKey: undefined, webhookSecret: undefined, graceDays: 7, returnUrl: 'https://console.medgenie.com/billing' });
    }
  });

  it('takes a secret or restricted key and a webhook secret, and never echoes a bad one', () => {
    expect(load({ STRIPE_SECRET_KEY: 'sk_test_abc123', STRIPE_WEBHOOK_SECRET: 'whsec_abc' }).billing).toMatchObject({ secretKey: 'sk_test_abc123', webhookSecret: 'whsec_abc' });
    expect(load({ STRIPE_SECRET_KEY: 'rk_live_abc' }).billing.secretKey).toBe('rk_live_abc');
    const message = refusal({ STRIPE_SECRET_KEY: 'pk_test_publishable_key_by_mistake' });
    expect(message).toContain('STRIPE_SECRET_KEY: must be a Stripe secret or restricted key');
    expect(message).not.toContain('pk_test_publishable_key_by_mistake');
    expect(refusal({ STRIPE_WEBHOOK_SECRET: 'not-a-webhook-secret' })).toContain('STRIPE_WEBHOOK_SECRET');
    expect(refusal({ BILLING_GRACE_DAYS: '61' })).toContain('BILLING_GRACE_DAYS');
  });
});

describe('mail and password reset', () => {
  it('logs mail only by default, with the console (JWT_ISSUER) in links and a 30-minute reset link', () => {
    for (const env of [{}, { SMTP_URL: '', MAIL_OUTBOX_DIR: '' }] as Record<string, string>[]) {
      const config = load(env);
      expect(config.mail).toMatchObject({ smtpUrl: undefined, outboxDir: undefined, from: 'MedGenie <no-reply@medgenie.com>' });
      expect(config.consoleUrl).toBe('https://console.medgenie.com');
      expect(config.passwordReset.ttlMinutes).toBe(30);
    }
    expect(load({ JWT_ISSUER: 'http://console.localhost:8080/' }).consoleUrl).toBe('http://console.localhost:8080');
    expect(load({ CONSOLE_URL: 'https://app.example.com/' }).consoleUrl).toBe('https://app.example.com');
  });

  it('takes an SMTP relay and an absolute outbox folder, and never echoes a bad SMTP_URL', () => {
    expect(load({ SMTP_URL: 'smtps://user:pw@mail.example.com:465', MAIL_OUTBOX_DIR: '/tmp/outbox' }).mail).toMatchObject({
      smtpUrl: 'smtps://user:pw@mail.example.com:465',
      outboxDir: '/tmp/outbox',
    });
    const message = refusal({ SMTP_URL: 'https://user:hunter2secret@mail.example.com' });
    expect(message).toContain('SMTP_URL');
    expect(message).not.toContain('hunter2secret');
    expect(refusal({ MAIL_OUTBOX_DIR: 'relative/outbox' })).toContain('MAIL_OUTBOX_DIR: must be an absolute path');
    expect(refusal({ PASSWORD_RESET_TTL_MINUTES: '1' })).toContain('PASSWORD_RESET_TTL_MINUTES');
  });
});

describe('PLATFORM_ADMIN_MFA_REQUIRED', () => {
  it('is on unless turned off', () => {
    expect(load({}).mfa.platformAdminRequired).toBe(true);
    expect(load({ PLATFORM_ADMIN_MFA_REQUIRED: 'false' }).mfa.platformAdminRequired).toBe(false);
  });

  it.each(['', 'no', '0', 'TRUE'])('refuses %j', (raw) => {
    expect(refusal({ PLATFORM_ADMIN_MFA_REQUIRED: raw })).toContain('PLATFORM_ADMIN_MFA_REQUIRED');
  });
});

describe('CONSOLE_DIST_DIR', () => {
  it("defaults to the repository's dist/apps/console, found from the app's own location", () => {
    expect(load({}).console.distDir).toBe(resolve(__dirname, '../../../../dist/apps/console'));
  });

  it('takes a directory, resolved to an absolute path', () => {
    expect(load({ CONSOLE_DIST_DIR: '/srv/console' }).console.distDir).toBe('/srv/console');
  });
});
