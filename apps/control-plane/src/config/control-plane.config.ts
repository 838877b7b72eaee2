import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, jsonStringRecord, parseEnv } from '@medgenie/config';

const postgresUrl = z
  .string()
  .url()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// URL');

/** `{"in": "...", "ca": "..."}`: one value per region id. */
const perRegion = (what: string) => jsonStringRecord(`region id -> ${what}`);

/** Whole minutes from 0 to a day, as digits only ("1.5", "-1", "1e3" and "" are refused). */
const minutesUpToADay = (meaningOfZero: string) =>
  z
    .string()
    .refine((v) => /^\d{1,4}$/.test(v) && Number(v) <= 24 * 60, `must be a whole number of minutes from 0 (${meaningOfZero}) to 1440`)
    .transform(Number);

/**
 * Where `npm run build` puts the console (`<repo>/dist/apps/console`): the repository is the first
 * directory above this file (in the sources or in dist/apps/control-plane) that holds nx.json;
 * outside a checkout (an image), the working directory's dist/apps/console.
 */
export function defaultConsoleDistDir(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nx.json'))) return join(dir, 'dist/apps/console');
    if (dirname(dir) === dir) return resolve('dist/apps/console');
  }
}

const schema = z
  .object({
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().default('127.0.0.1'),
    DATABASE_URL: postgresUrl,
    DATABASE_OWNER_URL: postgresUrl.optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    MIGRATE_ON_START: z.enum(['true', 'false']).default('false'),
    REDIS_URL: z.string().url().optional(),
    /** Secret: encrypts the signing keys' private halves at rest. */
    KEY_ENCRYPTION_SECRET: z.string().min(32, 'must be at least 32 characters'),
    JWT_ISSUER: z.string().min(1).default('https://console.medgenie.com'),
    JWT_AUDIENCE: z.string().min(1).default('medgenie-api'),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
    REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(300).default(30 * 86_400),
    /** Secret: per-region service credentials for the regions' /internal routes. */
    REGION_SERVICE_TOKENS: perRegion('service token'),
    /** Overrides of the registry's regional API URLs (local runs, tests). */
    REGION_API_URLS: perRegion('API URL').optional(),
    REGION_TIMEOUT_MS: z.coerce.number().int().min(100).default(3_000),
    /** Secret: what the gateway presents on /internal routes of the control plane. */
    GATEWAY_SERVICE_TOKEN: z.string().min(32, 'must be at least 32 characters'),
    PROVISIONING_RETRY_MS: z.coerce.number().int().min(50).default(5_000),
    /**
     * Secret: the Unleash client API's tokens (`/api/client/*`), one per region and one for the
     * gateway: `{"in": "<token>", "gateway": "<token>"}`. Each SDK sends its token as the
     * Authorization header. Without it, the client API refuses every caller. A second token for a
     * client, while rotating, is named `<client>.<anything>` (`"in.next"`).
     */
    UNLEASH_CLIENT_TOKENS: jsonStringRecord('client name -> client token of at least 32 characters', (v) => v.length >= 32)
      .refine(
        (r) => Object.keys(r).every((k) => /^[a-z][a-z0-9-]{1,31}(\.[a-z0-9-]{1,16})?$/.test(k)),
        'client names must be region ids or "gateway" (lower case), with an optional ".<suffix>" for a second token while rotating',
      )
      .refine((r) => new Set(Object.values(r)).size === Object.keys(r).length, 'each token must be different')
      .optional(),
    /**
     * How often usage is collected from every active region; 0 turns the schedule off (collection
     * on demand only). The first scheduled run comes one interval after start.
     */
    USAGE_COLLECT_INTERVAL_MINUTES: minutesUpToADay('off').default('60'),
    /** How many days of the SDKs' hourly flag evaluation counts are kept; older hours are pruned hourly. */
    FLAG_METRICS_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
    /** How often ended sessions that could not be delivered yet (a region down) are retried; each is also sent the moment it ends. */
    SESSION_DELIVERY_INTERVAL_MS: z.coerce.number().int().min(100).max(60_000).default(1_000),
    LOCKOUT_THRESHOLD: z.coerce.number().int().min(1).default(5),
    LOCKOUT_BASE_SECONDS: z.coerce.number().int().min(1).default(30),
    LOCKOUT_MAX_SECONDS: z.coerce.number().int().min(1).default(900),
    /**
     * Throttling of the password and token routes, token buckets shared through Redis (each
     * instance keeps its own when Redis is unset or down). Logins, password changes and refreshes
     * per client address: a rate per minute and a burst.
     */
    LOGIN_RATE_PER_ADDRESS: z.coerce.number().positive().default(10),
    LOGIN_BURST_PER_ADDRESS: z.coerce.number().int().min(1).default(20),
    /** Logins and password changes per account (email, lower case), whatever the address: per minute, and a burst. */
    LOGIN_RATE_PER_ACCOUNT: z.coerce.number().positive().default(5),
    LOGIN_BURST_PER_ACCOUNT: z.coerce.number().int().min(1).default(5),
    /** Signups per client address: per hour, and a burst. */
    SIGNUP_RATE_PER_ADDRESS: z.coerce.number().positive().default(5),
    SIGNUP_BURST_PER_ADDRESS: z.coerce.number().int().min(1).default(5),
    PLATFORM_ADMIN_EMAIL: z.string().email().optional(),
    /** Secret: the first platform admin's password, used only when that user does not exist yet. */
    PLATFORM_ADMIN_PASSWORD: z.string().min(12).optional(),
    /**
     * Platform admins must sign in with a second factor (TOTP): one who has not enrolled gets only an
     * enrolment token at login. On by default; the local platform (`npm start`) turns it off.
     */
    PLATFORM_ADMIN_MFA_REQUIRED: z.enum(['true', 'false']).default('true'),
    /** argon2id cost; the defaults are OWASP's (19 MiB, 2 passes, 1 lane). */
    ARGON2_MEMORY_KIB: z.coerce.number().int().min(1024).default(19_456),
    ARGON2_TIME_COST: z.coerce.number().int().min(1).default(2),
    ARGON2_PARALLELISM: z.coerce.number().int().min(1).default(1),
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(256 * 1024),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Secret: Stripe's API key. Without it (or empty) billing answers 409 BILLING_NOT_CONFIGURED and platform admins set plans. */
    STRIPE_SECRET_KEY: z
      .union([z.literal(''), z.string().regex(/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/, 'must be a Stripe secret or restricted key (sk_… or rk_…)')])
      .optional()
      .transform((v) => v || undefined),
    /** Secret: the webhook endpoint's signing secret (whsec_…): webhooks are verified with it, with or without an API key. */
    STRIPE_WEBHOOK_SECRET: z.string().regex(/^whsec_[A-Za-z0-9+/=_-]+$/, 'must be a webhook signing secret (whsec_…)').optional(),
    /** Where the SDK sends its API calls instead of https://api.stripe.com (a local stand-in for tests, or an egress proxy). */
    STRIPE_API_BASE: z.string().url().optional(),
    /** Days between a failed payment and the read-only hold, unless an invoice is paid meanwhile. */
    BILLING_GRACE_DAYS: z.coerce.number().int().min(0).max(60).default(7),
    /** How often the end of grace periods is checked. */
    BILLING_SWEEP_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
    /** Where Checkout and the customer portal send the org admin back to (the console's billing page). */
    BILLING_RETURN_URL: z.string().url().optional(),
    /** The console's address, for links in mail (the reset-password page); default: JWT_ISSUER. */
    CONSOLE_URL: z.string().url().optional(),
    /**
     * Secret: the SMTP relay, `smtp(s)://user:pass@host:port`. Without it, mail is written to
     * MAIL_OUTBOX_DIR (one .eml per message) or, without that either, only logged (never sent).
     */
    SMTP_URL: z
      .union([z.literal(''), z.string().url().refine((v) => /^smtps?:\/\//.test(v), 'must be an smtp:// or smtps:// URL')])
      .optional()
      .transform((v) => v || undefined),
    /** A folder (absolute path) that receives each message as an .eml file, when there is no SMTP_URL (local runs, tests). */
    MAIL_OUTBOX_DIR: z
      .string()
      .refine((v) => v === '' || v.startsWith('/'), 'must be an absolute path')
      .optional()
      .transform((v) => v || undefined),
    MAIL_FROM: z.string().min(3).max(200).default('MedGenie <no-reply@medgenie.com>'),
    /** How often the mail outbox is swept for messages due (new ones are sent at once; this retries). */
    MAIL_RETRY_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(3600).default(15),
    /** The first retry of a message that failed waits this long, doubling with each further failure (at most an hour). */
    MAIL_RETRY_BASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
    /** Attempts before a message is given up (its content is then erased). */
    MAIL_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(10),
    /** How long a password reset link works. */
    PASSWORD_RESET_TTL_MINUTES: z.coerce.number().int().min(5).max(24 * 60).default(30),
    /** Password reset requests (and confirmations) per client address: per hour, and a burst. */
    PASSWORD_RESET_RATE_PER_ADDRESS: z.coerce.number().positive().default(20),
    PASSWORD_RESET_BURST_PER_ADDRESS: z.coerce.number().int().min(1).default(10),
    /** Password reset requests per account (email, lower case), whatever the address: per hour, and a burst. */
    PASSWORD_RESET_RATE_PER_ACCOUNT: z.coerce.number().positive().default(5),
    PASSWORD_RESET_BURST_PER_ACCOUNT: z.coerce.number().int().min(1).default(3),
    /** The console's build (index.html and assets/), served at / on the console host; default <repo>/dist/apps/console. */
    CONSOLE_DIST_DIR: z.string().min(1).optional(),
  })
  .transform((env) => ({
    port: env.PORT,
    host: env.HOST,
    database: {
      url: env.DATABASE_URL,
      ownerUrl: env.DATABASE_OWNER_URL,
      poolSize: env.DATABASE_POOL_SIZE,
      migrateOnStart: env.MIGRATE_ON_START === 'true',
    },
    redisUrl: env.REDIS_URL,
    keys: { encryptionSecret: env.KEY_ENCRYPTION_SECRET },
    tokens: {
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      accessTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
      refreshTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS,
    },
    regions: {
      serviceTokens: env.REGION_SERVICE_TOKENS,
      apiUrls: env.REGION_API_URLS ?? {},
      timeoutMs: env.REGION_TIMEOUT_MS,
    },
    gatewayServiceToken: env.GATEWAY_SERVICE_TOKEN,
    provisioningRetryMs: env.PROVISIONING_RETRY_MS,
    flags: { clientTokens: env.UNLEASH_CLIENT_TOKENS ?? {}, metricsRetentionDays: env.FLAG_METRICS_RETENTION_DAYS },
    usage: { collectIntervalMs: env.USAGE_COLLECT_INTERVAL_MINUTES * 60_000 },
    sessions: { deliveryIntervalMs: env.SESSION_DELIVERY_INTERVAL_MS },
    lockout: { threshold: env.LOCKOUT_THRESHOLD, baseSeconds: env.LOCKOUT_BASE_SECONDS, maxSeconds: env.LOCKOUT_MAX_SECONDS },
    throttle: {
      loginPerAddress: { perSecond: env.LOGIN_RATE_PER_ADDRESS / 60, burst: env.LOGIN_BURST_PER_ADDRESS },
      loginPerAccount: { perSecond: env.LOGIN_RATE_PER_ACCOUNT / 60, burst: env.LOGIN_BURST_PER_ACCOUNT },
      signupPerAddress: { perSecond: env.SIGNUP_RATE_PER_ADDRESS / 3600, burst: env.SIGNUP_BURST_PER_ADDRESS },
      passwordResetPerAddress: { perSecond: env.PASSWORD_RESET_RATE_PER_ADDRESS / 3600, burst: env.PASSWORD_RESET_BURST_PER_ADDRESS },
      passwordResetPerAccount: { perSecond: env.PASSWORD_RESET_RATE_PER_ACCOUNT / 3600, burst: env.PASSWORD_RESET_BURST_PER_ACCOUNT },
    },
    platformAdmin:
      env.PLATFORM_ADMIN_EMAIL && env.PLATFORM_ADMIN_PASSWORD ? { email: env.PLATFORM_ADMIN_EMAIL, password: env.PLATFORM_ADMIN_PASSWORD } : undefined,
    mfa: { platformAdminRequired: env.PLATFORM_ADMIN_MFA_REQUIRED === 'true' },
    argon2: { memoryCost: env.ARGON2_MEMORY_KIB, timeCost: env.ARGON2_TIME_COST, parallelism: env.ARGON2_PARALLELISM },
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    logLevel: env.LOG_LEVEL,
    billing: {
      secretKey: env.STRIPE_SECRET_KEY,
      webhookSecret: env.STRIPE_WEBHOOK_SECRET,
      apiBase: env.STRIPE_API_BASE,
      graceDays: env.BILLING_GRACE_DAYS,
      sweepIntervalMs: env.BILLING_SWEEP_INTERVAL_SECONDS * 1000,
      returnUrl: env.BILLING_RETURN_URL ?? `${env.JWT_ISSUER.replace(/\/$/, '')}/billing`,
    },
    consoleUrl: (env.CONSOLE_URL ?? env.JWT_ISSUER).replace(/\/$/, ''),
    mail: {
      smtpUrl: env.SMTP_URL,
      outboxDir: env.MAIL_OUTBOX_DIR,
      from: env.MAIL_FROM,
      retryIntervalMs: env.MAIL_RETRY_INTERVAL_SECONDS * 1000,
      retryBaseSeconds: env.MAIL_RETRY_BASE_SECONDS,
      maxAttempts: env.MAIL_MAX_ATTEMPTS,
    },
    passwordReset: { ttlMinutes: env.PASSWORD_RESET_TTL_MINUTES },
    console: { distDir: resolve(env.CONSOLE_DIST_DIR ?? defaultConsoleDistDir()) },
  }));

export type ControlPlaneConfig = z.output<typeof schema>;
export const CONTROL_PLANE_CONFIG = Symbol('CONTROL_PLANE_CONFIG');

const SECRET_KEYS = [
  'DATABASE_URL',
  'DATABASE_OWNER_URL',
  'KEY_ENCRYPTION_SECRET',
  'REGION_SERVICE_TOKENS',
  'GATEWAY_SERVICE_TOKEN',
  'UNLEASH_CLIENT_TOKENS',
  'PLATFORM_ADMIN_PASSWORD',
  'REDIS_URL',
  'STRIPE_SECRET_KEY',
  'STRIPE_WEBHOOK_SECRET',
  'SMTP_URL',
];

export { ConfigError };

export function loadControlPlaneConfig(env: Record<string, string | undefined> = process.env): ControlPlaneConfig {
  return parseEnv('control-plane', schema, env, SECRET_KEYS);
}
