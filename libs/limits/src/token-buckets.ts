import type Redis from 'ioredis';

/** A token bucket: `burst` tokens, refilled at `perSecond`. */
export interface BucketLimit {
  perSecond: number;
  burst: number;
}

/** Taken, or refused with the milliseconds until a token is back. */
export interface Take {
  allowed: boolean;
  retryAfterMs: number;
}

/**
 * Takes one token in one step on Redis, so every instance shares the bucket. The time is Redis's
 * own (instances with drifting clocks agree); a refused request takes nothing; the key expires once
 * the bucket would be full again.
 */
export const TAKE_SCRIPT = `
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

/**
 * The script as a command of the client (ioredis' defineCommand): sent by its SHA1 (EVALSHA), so a
 * request costs a few bytes instead of the whole script; on NOSCRIPT (Redis restarted or its script
 * cache flushed) ioredis sends the script once and goes on by SHA.
 */
const TAKE_COMMAND = 'medgenieTakeToken';
type TakeCommand = { [TAKE_COMMAND]: (key: string, perSecond: number, burst: number) => Promise<[number, number]> };

function withTakeCommand(redis: Redis): Redis & TakeCommand {
  if (!(TAKE_COMMAND in redis)) redis.defineCommand(TAKE_COMMAND, { numberOfKeys: 1, lua: TAKE_SCRIPT });
  return redis as Redis & TakeCommand;
}

/** The same buckets in this process, for when Redis is unset or does not answer. */
class LocalBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  take(key: string, limit: BucketLimit, now = Date.now()): Take {
    const previous = this.buckets.get(key);
    const tokens = previous ? Math.min(limit.burst, previous.tokens + ((now - previous.at) / 1000) * limit.perSecond) : limit.burst;
    if (tokens < 1) return { allowed: false, retryAfterMs: Math.ceil(((1 - tokens) * 1000) / limit.perSecond) };
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    if (this.buckets.size > 100_000) this.sweep(limit, now);
    return { allowed: true, retryAfterMs: 0 };
  }

  /** Forgets buckets that are full again (they hold nothing a new one would not). */
  private sweep(limit: BucketLimit, now: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.at) / 1000) * limit.perSecond >= limit.burst) this.buckets.delete(key);
    }
  }
}

/**
 * Token buckets by key (an org, an address, an account), in Redis (keys under `prefix`) so every
 * instance counts together. Without Redis, or while it fails, each instance keeps its own buckets:
 * limits then hold per instance instead of failing open or answering an error. `onRedisFailure`
 * hears of the first failure after Redis last answered (to log an outage once).
 */
export class TokenBuckets {
  private readonly local = new LocalBuckets();
  private readonly redis: (Redis & TakeCommand) | null;

  constructor(
    redis: Redis | null,
    private readonly prefix: string,
    private readonly onRedisFailure: (err: unknown) => void = () => undefined,
  ) {
    this.redis = redis && withTakeCommand(redis);
  }

  private redisAnswered = true;

  async take(key: string, limit: BucketLimit): Promise<Take> {
    if (this.redis) {
      try {
        const [allowed, retryAfterMs] = await this.redis[TAKE_COMMAND](this.prefix + key, limit.perSecond, limit.burst);
        this.redisAnswered = true;
        return { allowed: allowed === 1, retryAfterMs };
      } catch (err) {
        if (this.redisAnswered) this.onRedisFailure(err);
        this.redisAnswered = false;
      }
    }
    return this.local.take(key, limit);
  }
}
