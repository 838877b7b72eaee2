import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';

/** A token bucket: `burst` tokens, refilled at `perSecond`. */
export interface BucketLimit {
  perSecond: number;
  burst: number;
}

/** Taken, or refused with the seconds until a token is back. */
export type Take = { allowed: true } | { allowed: false; retryAfterSeconds: number };

const KEY_PREFIX = 'medgenie:cp:throttle:';

/**
 * Takes one token in one step on Redis (the buckets are shared by every instance). The time is
 * Redis's own, so instances with drifting clocks agree. A refused request takes nothing. The key
 * expires once the bucket would be full again.
 */
const TAKE_SCRIPT = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then tokens = burst; at = now end
tokens = math.min(burst, tokens + math.max(0, now - at) * rate / 1000)
if tokens < 1 then
  return {0, math.ceil((1 - tokens) * 1000 / rate)}
end
tokens = tokens - 1
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / rate) + 1000)
return {1, 0}
`;

/** The same bucket in this process, for when Redis is unset or does not answer. */
class LocalBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  take(key: string, limit: BucketLimit, now = Date.now()): Take {
    const previous = this.buckets.get(key);
    const tokens = previous ? Math.min(limit.burst, previous.tokens + ((now - previous.at) / 1000) * limit.perSecond) : limit.burst;
    if (tokens < 1) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / limit.perSecond)) };
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    if (this.buckets.size > 100_000) this.sweep(limit, now);
    return { allowed: true };
  }

  /** Forgets buckets that are full again (they hold nothing a new one would not). */
  private sweep(limit: BucketLimit, now: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.at) / 1000) * limit.perSecond >= limit.burst) this.buckets.delete(key);
    }
  }
}

/**
 * Token buckets by key (an address, an account), in Redis so every instance counts together.
 * Without Redis, or when Redis fails, each instance keeps its own buckets: throttling then holds
 * per instance rather than failing open or answering an error.
 */
@Injectable()
export class RateLimiter implements OnApplicationShutdown {
  private readonly logger = new Logger(RateLimiter.name);
  private readonly redis: Redis | null;
  private readonly local = new LocalBuckets();
  private redisFailing = false;

  constructor(@Inject(CONTROL_PLANE_CONFIG) config: ControlPlaneConfig) {
    this.redis = config.redisUrl
      ? new Redis(config.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 1_000, commandTimeout: 500 })
      : null;
    this.redis?.on('error', () => undefined);
  }

  async take(key: string, limit: BucketLimit): Promise<Take> {
    if (this.redis) {
      try {
        const [allowed, retryMs] = (await this.redis.eval(TAKE_SCRIPT, 1, KEY_PREFIX + key, limit.perSecond, limit.burst)) as [number, number];
        this.redisFailing = false;
        return allowed === 1 ? { allowed: true } : { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(retryMs / 1000)) };
      } catch (err) {
        if (!this.redisFailing) this.logger.warn({ err: (err as Error).message }, 'rate limits fall back on this instance: Redis did not answer');
        this.redisFailing = true;
      }
    }
    return this.local.take(key, limit);
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.redis) return;
    await this.redis.quit().catch(() => this.redis?.disconnect(false));
  }
}
