import { z } from 'zod';
import { ConfigError, parseEnv } from '@medgenie/config';
import { isTimeZone } from '../common/timezone';

/** Languages each known region offers; a new region states its own with REGION_LANGUAGES. */
const KNOWN_REGION_LANGUAGES: Record<string, string[]> = {
  us: ['en'],
  in: ['en', 'hi'],
  ca: ['en', 'fr'],
};

/** Default time zone of each known region, for organizations and clinics that state none. */
const KNOWN_REGION_TIMEZONES: Record<string, string> = {
  us: 'America/New_York',
  in: 'Asia/Kolkata',
  ca: 'America/Toronto',
};

/** Currency of each known region (fees and dental procedure costs are in it). */
const KNOWN_REGION_CURRENCIES: Record<string, string> = {
  us: 'USD',
  in: 'INR',
  ca: 'CAD',
};

const postgresUrl = z
  .string()
  .url()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgres:// URL');

const schema = z
  .object({
    REGION_ID: z.string().regex(/^[a-z]{2,8}$/, 'must be a short lower-case region id such as "in"'),
    REGION_LANGUAGES: z.string().regex(/^[a-z]{2}(,[a-z]{2})*$/).optional(),
    REGION_TIMEZONE: z.string().refine((v) => isTimeZone(v), 'must be an IANA time zone').optional(),
    REGION_CURRENCY: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as "INR"').optional(),
    PORT: z.coerce.number().int().min(0).max(65535).default(3100),
    HOST: z.string().default('127.0.0.1'),
    /** The app role: DML only, RLS applies. */
    DATABASE_URL: postgresUrl,
    /** The owner role: runs migrations. Optional for a process that does not migrate. */
    DATABASE_OWNER_URL: postgresUrl.optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    /**
     * The most pooled connections one organization's requests hold at once (default: the pool but
     * a quarter of it, at least one, kept for the others), so no org can take all of them; a
     * request over it waits DATABASE_POOL_TIMEOUT_MS, then 503 ORGANIZATION_BUSY.
     */
    DATABASE_ORG_MAX_CONNECTIONS: z.coerce.number().int().min(1).max(200).optional(),
    /**
     * How long a request waits for a pooled connection, opening a new one included, before it is
     * answered 503: a pool that is exhausted or a database that does not accept answers fast.
     */
    DATABASE_POOL_TIMEOUT_MS: z.coerce.number().int().min(100).default(1_000),
    /**
     * How long a pooled connection may stay idle before it is closed (0: never). Kept long, so a
     * burst after a quiet spell finds warm connections instead of waiting for new backends.
     */
    DATABASE_POOL_IDLE_TIMEOUT_MS: z.coerce.number().int().min(0).default(300_000),
    /** Server side: a statement running longer is cancelled (503). 0 leaves the server's setting. */
    DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(750),
    /** Server side: a statement waiting longer for a row or table lock fails (503). 0 leaves the server's setting. */
    DATABASE_LOCK_TIMEOUT_MS: z.coerce.number().int().min(0).default(500),
    /**
     * Client side: a query not answered after this long ends its connection (503); what fails a
     * request on a database that does not answer at all (frozen, network gone). Above the
     * statement timeout, so a server that is alive always answers first.
     */
    DATABASE_QUERY_TIMEOUT_MS: z.coerce.number().int().min(100).default(900),
    /** `/readyz`: the whole budget of its database check, over a connection of its own. */
    DATABASE_READY_TIMEOUT_MS: z.coerce.number().int().min(50).max(5_000).default(500),
    MIGRATE_ON_START: z.enum(['true', 'false']).default('false'),
    /** Named prepared statements for the per-request queries; set false behind PgBouncer < 1.21 in transaction mode. */
    DATABASE_PREPARED_STATEMENTS: z.enum(['true', 'false']).default('true'),
    /**
     * Sets the statement and lock timeouts in every transaction, not only as connection startup
     * parameters: set true behind a pooler in transaction mode (PgBouncer), which refuses or drops those.
     */
    DATABASE_TIMEOUTS_PER_TRANSACTION: z.enum(['true', 'false']).default('false'),
    JWKS_URL: z.string().url(),
    JWT_ISSUER: z.string().min(1).default('https://console.medgenie.com'),
    JWT_AUDIENCE: z.string().min(1).default('medgenie-api'),
    /** Secret: the control plane's credential for /internal routes. */
    INTERNAL_SERVICE_TOKEN: z.string().min(32, 'must be at least 32 characters'),
    REDIS_URL: z.string().url().optional(),
    BLOB_CONNECTION_STRING: z.string().min(1).optional(),
    /** The blob endpoint clients download from (SAS URLs are built on it); defaults to the connection string's. */
    BLOB_ACCOUNT_URL: z.string().url().optional(),
    /** Lifetime of a download URL (a read-only SAS for one blob). */
    BLOB_SAS_TTL_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
    /** Per-try timeout of a blob store call, and how many tries: a store that is down answers 503 fast. */
    BLOB_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
    BLOB_MAX_TRIES: z.coerce.number().int().min(1).max(10).default(2),
    /** Largest attachment accepted (streamed to the blob store, never held in memory whole). */
    ATTACHMENT_MAX_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(20 * 1024 * 1024),
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(1024 * 1024),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /** Feature flags: the control plane's Unleash client API (its URL + /api). Without it and the token, flags are seed 000's defaults. */
    FLAGS_URL: z.string().url().optional(),
    /** Secret: this region's flag client token (the control plane's UNLEASH_CLIENT_TOKENS["<region id>"]). */
    FLAGS_CLIENT_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
    /** How often the SDK polls for flag definitions: a change reaches the region within this. */
    FLAGS_REFRESH_INTERVAL_MS: z.coerce.number().int().min(100).max(10_000).default(5_000),
    /** How often the SDK reports evaluation counts to the control plane; 0 reports none. */
    FLAGS_METRICS_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
    /** Where the SDK keeps the last definitions it fetched, to start from them with the control plane down. */
    FLAGS_BACKUP_DIR: z.string().min(1).optional(),
  })
  .refine((env) => (env.FLAGS_URL === undefined) === (env.FLAGS_CLIENT_TOKEN === undefined), {
    path: ['FLAGS_CLIENT_TOKEN'],
    message: 'FLAGS_URL and FLAGS_CLIENT_TOKEN go together: set both (flags from the control plane) or neither (seed defaults only)',
  })
  .refine((env) => env.DATABASE_STATEMENT_TIMEOUT_MS === 0 || env.DATABASE_QUERY_TIMEOUT_MS > env.DATABASE_STATEMENT_TIMEOUT_MS, {
    path: ['DATABASE_QUERY_TIMEOUT_MS'],
    message: 'must be greater than DATABASE_STATEMENT_TIMEOUT_MS (the server cancels a slow statement and keeps the connection; this only catches a server that does not answer)',
  })
  .transform((env) => ({
    regionId: env.REGION_ID,
    languages: env.REGION_LANGUAGES?.split(',') ?? KNOWN_REGION_LANGUAGES[env.REGION_ID] ?? ['en'],
    timezone: env.REGION_TIMEZONE ?? KNOWN_REGION_TIMEZONES[env.REGION_ID] ?? 'UTC',
    currency: env.REGION_CURRENCY ?? KNOWN_REGION_CURRENCIES[env.REGION_ID] ?? 'USD',
    port: env.PORT,
    host: env.HOST,
    database: {
      url: env.DATABASE_URL,
      ownerUrl: env.DATABASE_OWNER_URL,
      poolSize: env.DATABASE_POOL_SIZE,
      // The pool but a quarter of it (at least one connection) kept for the other orgs.
      orgMaxConnections: env.DATABASE_ORG_MAX_CONNECTIONS ?? Math.max(1, env.DATABASE_POOL_SIZE - Math.max(1, Math.floor(env.DATABASE_POOL_SIZE / 4))),
      poolTimeoutMs: env.DATABASE_POOL_TIMEOUT_MS,
      poolIdleTimeoutMs: env.DATABASE_POOL_IDLE_TIMEOUT_MS,
      statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
      lockTimeoutMs: env.DATABASE_LOCK_TIMEOUT_MS,
      queryTimeoutMs: env.DATABASE_QUERY_TIMEOUT_MS,
      readyTimeoutMs: env.DATABASE_READY_TIMEOUT_MS,
      migrateOnStart: env.MIGRATE_ON_START === 'true',
      preparedStatements: env.DATABASE_PREPARED_STATEMENTS === 'true',
      timeoutsPerTransaction: env.DATABASE_TIMEOUTS_PER_TRANSACTION === 'true',
    },
    auth: {
      jwksUrl: env.JWKS_URL,
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      serviceToken: env.INTERNAL_SERVICE_TOKEN,
    },
    redisUrl: env.REDIS_URL,
    blob: {
      connectionString: env.BLOB_CONNECTION_STRING,
      accountUrl: env.BLOB_ACCOUNT_URL,
      sasTtlSeconds: env.BLOB_SAS_TTL_SECONDS,
      timeoutMs: env.BLOB_TIMEOUT_MS,
      maxTries: env.BLOB_MAX_TRIES,
    },
    attachmentMaxBytes: env.ATTACHMENT_MAX_BYTES,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    logLevel: env.LOG_LEVEL,
    flags: {
      url: env.FLAGS_URL,
      clientToken: env.FLAGS_CLIENT_TOKEN,
      refreshIntervalMs: env.FLAGS_REFRESH_INTERVAL_MS,
      metricsIntervalMs: env.FLAGS_METRICS_INTERVAL_MS,
      backupDir: env.FLAGS_BACKUP_DIR ?? `.medgenie/flags/${env.REGION_ID}`,
    },
  }));

export type RegionalConfig = z.output<typeof schema>;
export const REGIONAL_CONFIG = Symbol('REGIONAL_CONFIG');

const SECRET_KEYS = ['DATABASE_URL', 'DATABASE_OWNER_URL', 'INTERNAL_SERVICE_TOKEN', 'BLOB_CONNECTION_STRING', 'REDIS_URL', 'FLAGS_CLIENT_TOKEN'];

export { ConfigError };

/** Validates the environment; the message names each bad key and never echoes a secret. */
export function loadRegionalConfig(env: Record<string, string | undefined> = process.env): RegionalConfig {
  return parseEnv('regional-api', schema, env, SECRET_KEYS);
}
