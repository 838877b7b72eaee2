import type Redis from 'ioredis';

const BUCKET = `
local tokens = tonumber(redis.call('HGET', KEYS[1], 't'))
local ts = tonumber(redis.call('HGET', KEYS[1], 'ts'))
local rate, burst, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
if tokens == nil then tokens = burst; ts = now end
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
local allowed, retry = 0, 0
if tokens >= 1 then tokens = tokens - 1; allowed = 1 else retry = math.ceil((1 - tokens) * 1000 / rate) end
redis.call('HSET', KEYS[1], 't', tokens, 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return {allowed, retry}`;

export interface Decision {
  allowed: boolean;
  retryAfterMs: number;
}

/**
 * A token bucket per key (an organization's authenticated traffic; an organization and client
 * address for anonymous traffic), kept in Redis (one atomic script call) so every gateway
 * instance shares it. With Redis down, each instance falls back on a local bucket.
 */
export class RateLimiter {
  private readonly local = new Map<string, { tokens: number; ts: number }>();

  constructor(
    private readonly rps: number,
    private readonly burst: number,
    private readonly redis: Redis | null,
    /** Keeps budgets apart in Redis: `mg:rl:` for organizations, `mg:rl:anon:` for anonymous callers. */
    private readonly prefix = 'mg:rl:',
  ) {}

  async take(key: string): Promise<Decision> {
    if (this.redis) {
      try {
        const [allowed, retry] = (await this.redis.eval(BUCKET, 1, `${this.prefix}${key}`, this.rps, this.burst, Date.now())) as [number, number];
        return { allowed: allowed === 1, retryAfterMs: retry };
      } catch {
        // Redis unavailable: fall through to this instance's own bucket.
      }
    }
    return this.takeLocal(key);
  }

  private takeLocal(key: string): Decision {
    const now = Date.now();
    const bucket = this.local.get(key) ?? { tokens: this.burst, ts: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.ts) * this.rps) / 1000);
    bucket.ts = now;
    if (this.local.size > 100_000) this.local.clear();
    this.local.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfterMs: 0 };
    }
    return { allowed: false, retryAfterMs: Math.ceil(((1 - bucket.tokens) * 1000) / this.rps) };
  }
}
