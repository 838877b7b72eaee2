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

/** After Redis failed or timed out, requests stop waiting on it; it is tried again in the background this often. */
const REDIS_RETRY_MS = 1_000;

/**
 * Token buckets by key (an org, an address, an account), in Redis (keys under `prefix`) so every
 * instance counts together. Without Redis, or while it fails, each instance keeps its own buckets:
 * limits then hold per instance instead of failing open or answering an error. A request waits on
 * Redis only while Redis answers: after one failure (refused, or no answer within the client's
 * command timeout) requests go to the local buckets at once, and one take a second is sent to
 * Redis in the background until it answers again. `onRedisFailure` hears of the first failure
 * after Redis last answered (to log an outage once).
 */
export class TokenBuckets {
  private readonly local = new LocalBuckets();
  private readonly redis: (Redis & TakeCommand) | null;
  private redisAnswered = true;
  private retryRedisAt = 0;
  private retrying = false;

  constructor(
    redis: Redis | null,
    private readonly prefix: string,
    private readonly onRedisFailure: (err: unknown) => void = () => undefined,
  ) {
    this.redis = redis && withTakeCommand(redis);
  }

  async take(key: string, limit: BucketLimit): Promise<Take> {
    const redis = this.redis;
    if (!redis) return this.local.take(key, limit);
    if (this.redisAnswered) {
      try {
        return await this.takeFromRedis(redis, key, limit);
      } catch (err) {
        this.failed(err);
        return this.local.take(key, limit);
      }
    }
    if (!this.retrying && Date.now() >= this.retryRedisAt) {
      this.retrying = true;
      this.takeFromRedis(redis, key, limit)
        .catch((err) => this.failed(err))
        .finally(() => (this.retrying = false));
    }
    return this.local.take(key, limit);
  }

  private async takeFromRedis(redis: Redis & TakeCommand, key: string, limit: BucketLimit): Promise<Take> {
    const [allowed, retryAfterMs] = await redis[TAKE_COMMAND](this.prefix + key, limit.perSecond, limit.burst);
    this.redisAnswered = true;
    return { allowed: allowed === 1, retryAfterMs };
  }

  private failed(err: unknown): void {
    if (this.redisAnswered) this.onRedisFailure(err);
    this.redisAnswered = false;
    this.retryRedisAt = Date.now() + REDIS_RETRY_MS;
  }
}
