import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { REGIONAL_CONFIG, RegionalConfig } from '../config/regional.config';

export const REDIS = Symbol('REDIS');

/**
 * The region's Redis, when REDIS_URL is set. Small retry budget and no offline queue: when Redis
 * is down a command fails at once instead of stalling the request.
 */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [REGIONAL_CONFIG],
      useFactory: (config: RegionalConfig): Redis | null =>
        config.redisUrl
          ? new Redis(config.redisUrl, {
              lazyConnect: false,
              enableOfflineQueue: false,
              maxRetriesPerRequest: 1,
              connectTimeout: 1_000,
              // A Redis that hangs: its commands (the readiness pings) are given up, not kept waiting.
              commandTimeout: 1_000,
              retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
              // Shutdown disconnects: a socket that does not close (Redis down) is destroyed after
              // 100 ms instead of ioredis' default 2 s, which would hold the process that long.
              disconnectTimeout: 100,
            })
          : null,
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis | null) {
    this.redis?.on('error', () => undefined); // state is reported by /readyz; reconnects on its own
  }

  onApplicationShutdown(): void {
    this.redis?.disconnect();
  }
}
