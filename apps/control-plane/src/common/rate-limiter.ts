import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { closeRedis, createOptionalRedis } from './redis';
import { BucketLimit, TokenBuckets } from '@medgenie/limits';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';

export type { BucketLimit };

/** Taken, or refused with the seconds until a token is back. */
export type Take = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Token buckets by key (an address, an account), in Redis so every instance counts together.
 * Without Redis, or when Redis fails, each instance keeps its own buckets: throttling then holds
 * per instance rather than failing open or answering an error.
 */
@Injectable()
export class RateLimiter implements OnApplicationShutdown {
  private readonly logger = new Logger(RateLimiter.name);
  private readonly redis: Redis | null;
  private readonly buckets: TokenBuckets;

  constructor(@Inject(CONTROL_PLANE_CONFIG) config: ControlPlaneConfig) {
    this.redis = config.redisUrl ? createOptionalRedis(config.redisUrl, 500) : null;
    this.buckets = new TokenBuckets(this.redis, 'medgenie:cp:throttle:', (err) =>
      this.logger.warn({ err: (err as Error).message }, 'rate limits fall back on this instance: Redis did not answer'),
    );
  }

  async take(key: string, limit: BucketLimit): Promise<Take> {
    const taken = await this.buckets.take(key, limit);
    return taken.allowed ? { allowed: true } : { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(taken.retryAfterMs / 1000)) };
  }

  async onApplicationShutdown(): Promise<void> {
    await closeRedis(this.redis);
  }
}
