import { z } from 'zod';
import { ConfigError, jsonStringRecord, parseEnv } from '@medgenie/config';

const urlMap = jsonStringRecord('region id -> http(s) URL', (v) => /^https?:\/\//.test(v));

const schema = z
  .object({
    GATEWAY_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
    HOST: z.string().default('127.0.0.1'),
    CONTROL_PLANE_URL: z.string().url(),
    /** Secret: the control plane's GATEWAY_SERVICE_TOKEN, for the registry lookup. */
    CONTROL_PLANE_SERVICE_TOKEN: z.string().min(32),
    REGION_API_URLS: urlMap,
    REDIS_URL: z.string().url().optional(),
    JWT_ISSUER: z.string().min(1).default('https://console.medgenie.com'),
    JWT_AUDIENCE: z.string().min(1).default('medgenie-api'),
    /** Per organization: sustained requests per second and burst. */
    RATE_LIMIT_RPS: z.coerce.number().positive().default(100),
    RATE_LIMIT_BURST: z.coerce.number().int().positive().default(200),
    /** Anonymous traffic (no token) to an org's host: its own budget per client address and org. */
    ANON_RATE_LIMIT_RPS: z.coerce.number().positive().default(10),
    ANON_RATE_LIMIT_BURST: z.coerce.number().int().positive().default(40),
    /** Proxies in front of the gateway whose X-Forwarded-For entries are trusted (0: the socket's address is the client's). */
    TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
    BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(25 * 1024 * 1024),
    /** Bodies up to this size are read whole before an upstream connection is taken; larger ones stream. */
    BODY_BUFFER_BYTES: z.coerce.number().int().min(0).default(64 * 1024),
    /** Slow clients: headers must arrive within HEADERS_TIMEOUT_MS; a body that pauses BODY_IDLE_TIMEOUT_MS, or averages under BODY_MIN_BYTES_PER_SECOND after BODY_GRACE_MS, gets 408. */
    HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
    REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).default(300_000),
    BODY_IDLE_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
    BODY_MIN_BYTES_PER_SECOND: z.coerce.number().int().min(0).default(240),
    BODY_GRACE_MS: z.coerce.number().int().min(0).default(5_000),
    /** Concurrent upstream requests per organization (anonymous ones have their own, smaller cap), and how long one over the cap waits. */
    ORG_MAX_CONCURRENT: z.coerce.number().int().min(1).default(32),
    ANON_MAX_CONCURRENT: z.coerce.number().int().min(1).default(8),
    ORG_QUEUE_TIMEOUT_MS: z.coerce.number().int().min(0).default(1_000),
    /** Connections to each upstream, and how long a request waits for one before a 503. */
    UPSTREAM_CONNECTIONS: z.coerce.number().int().min(1).default(128),
    UPSTREAM_QUEUE_TIMEOUT_MS: z.coerce.number().int().min(0).default(1_000),
    UPSTREAM_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(50).default(1_000),
    UPSTREAM_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(100).default(15_000),
    UPSTREAM_BODY_TIMEOUT_MS: z.coerce.number().int().min(100).default(60_000),
    /** How often each region's /healthz is probed, and how long a probe may take. */
    HEALTH_INTERVAL_MS: z.coerce.number().int().min(50).default(500),
    HEALTH_TIMEOUT_MS: z.coerce.number().int().min(50).default(1_000),
    /** The upstreams' readiness path: a region is ready when its database answers. */
    HEALTH_PATH: z.string().startsWith('/').default('/readyz'),
    /** Probes in a row that get no answer in time before the breaker opens (a refused connection opens it at once). */
    HEALTH_FAILURES: z.coerce.number().int().min(1).default(4),
    /** Consecutive upstream failures that open a region's breaker. */
    BREAKER_THRESHOLD: z.coerce.number().int().min(1).default(3),
    CACHE_TTL_MS: z.coerce.number().int().min(0).default(60_000),
    NEGATIVE_CACHE_TTL_MS: z.coerce.number().int().min(0).default(5_000),
    CONTROL_PLANE_TIMEOUT_MS: z.coerce.number().int().min(50).default(1_000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
    /** Feature flags: the control plane's Unleash client API (its URL + /api). Without it and the token, the gateway evaluates no flags (all off). */
    FLAGS_URL: z.string().url().optional(),
    /** Secret: the gateway's flag client token (the control plane's UNLEASH_CLIENT_TOKENS["gateway"]). */
    FLAGS_CLIENT_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
    /** How often the SDK polls for flag definitions: a change reaches the gateway within this. */
    FLAGS_REFRESH_INTERVAL_MS: z.coerce.number().int().min(100).max(10_000).default(5_000),
    /** How often the SDK reports evaluation counts to the control plane; 0 reports none. */
    FLAGS_METRICS_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
    /** Where the SDK keeps the last definitions it fetched, to start from them with the control plane down. */
    FLAGS_BACKUP_DIR: z.string().min(1).default('.medgenie/flags/gateway'),
    /** The Retry-After of a write refused under read_only_maintenance. */
    MAINTENANCE_RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  })
  .refine((env) => (env.FLAGS_URL === undefined) === (env.FLAGS_CLIENT_TOKEN === undefined), {
    path: ['FLAGS_CLIENT_TOKEN'],
    message: 'FLAGS_URL and FLAGS_CLIENT_TOKEN go together: set both (flags from the control plane) or neither (no flags)',
  })
  .transform((env) => ({
    port: env.GATEWAY_PORT,
    host: env.HOST,
    controlPlane: { url: env.CONTROL_PLANE_URL.replace(/\/$/, ''), serviceToken: env.CONTROL_PLANE_SERVICE_TOKEN, timeoutMs: env.CONTROL_PLANE_TIMEOUT_MS },
    regionUrls: Object.fromEntries(Object.entries(env.REGION_API_URLS).map(([k, v]) => [k, v.replace(/\/$/, '')])),
    redisUrl: env.REDIS_URL,
    tokens: { issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE },
    rateLimit: { rps: env.RATE_LIMIT_RPS, burst: env.RATE_LIMIT_BURST },
    anonRateLimit: { rps: env.ANON_RATE_LIMIT_RPS, burst: env.ANON_RATE_LIMIT_BURST },
    trustProxyHops: env.TRUST_PROXY_HOPS,
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    client: {
      headersTimeoutMs: env.HEADERS_TIMEOUT_MS,
      requestTimeoutMs: env.REQUEST_TIMEOUT_MS,
      body: {
        limit: env.BODY_LIMIT_BYTES,
        bufferBytes: env.BODY_BUFFER_BYTES,
        idleMs: env.BODY_IDLE_TIMEOUT_MS,
        minBytesPerSecond: env.BODY_MIN_BYTES_PER_SECOND,
        graceMs: env.BODY_GRACE_MS,
      },
    },
    concurrency: { perOrg: env.ORG_MAX_CONCURRENT, anonymous: env.ANON_MAX_CONCURRENT, queueTimeoutMs: env.ORG_QUEUE_TIMEOUT_MS },
    upstream: {
      connections: env.UPSTREAM_CONNECTIONS,
      queueTimeoutMs: env.UPSTREAM_QUEUE_TIMEOUT_MS,
      connectTimeoutMs: env.UPSTREAM_CONNECT_TIMEOUT_MS,
      headersTimeoutMs: env.UPSTREAM_HEADERS_TIMEOUT_MS,
      bodyTimeoutMs: env.UPSTREAM_BODY_TIMEOUT_MS,
    },
    health: { intervalMs: env.HEALTH_INTERVAL_MS, timeoutMs: env.HEALTH_TIMEOUT_MS, path: env.HEALTH_PATH, probeFailures: env.HEALTH_FAILURES, breakerThreshold: env.BREAKER_THRESHOLD },
    cache: { ttlMs: env.CACHE_TTL_MS, negativeTtlMs: env.NEGATIVE_CACHE_TTL_MS },
    logLevel: env.LOG_LEVEL,
    flags: {
      remote: env.FLAGS_URL !== undefined && env.FLAGS_CLIENT_TOKEN !== undefined ? { url: env.FLAGS_URL, clientToken: env.FLAGS_CLIENT_TOKEN } : undefined,
      refreshIntervalMs: env.FLAGS_REFRESH_INTERVAL_MS,
      metricsIntervalMs: env.FLAGS_METRICS_INTERVAL_MS,
      backupDir: env.FLAGS_BACKUP_DIR,
      maintenanceRetryAfterSeconds: env.MAINTENANCE_RETRY_AFTER_SECONDS,
    },
  }));

export type GatewayConfig = z.output<typeof schema>;

export { ConfigError };

export function loadGatewayConfig(env: Record<string, string | undefined> = process.env): GatewayConfig {
  return parseEnv('gateway', schema, env, ['CONTROL_PLANE_SERVICE_TOKEN', 'REDIS_URL', 'FLAGS_CLIENT_TOKEN']);
}
