import type Redis from 'ioredis';
import { Take, TokenBuckets } from '@medgenie/limits';

export type Decision = Take;

/**
 * A token bucket per key (an organization's authenticated traffic; an organization and client
 * address for anonymous traffic) at one rate: @medgenie/limits' TokenBuckets, in Redis so every
 * gateway instance shares it, and local to each instance while Redis is down.
 */
export class RateLimiter {
  private readonly buckets: TokenBuckets;
  private readonly limit: { perSecond: number; burst: number };

  constructor(
    rps: number,
    burst: number,
    redis: Redis | null,
    /** Keeps budgets apart in Redis: `mg:rl:` for organizations, `mg:rl:anon:` for anonymous callers. */
    prefix = 'mg:rl:',
  ) {
    this.buckets = new TokenBuckets(redis, prefix);
    this.limit = { perSecond: rps, burst };
  }

  take(key: string): Promise<Decision> {
    return this.buckets.take(key, this.limit);
  }
}
