import { Controller, Get, Inject } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorFunction, HealthIndicatorService } from '@nestjs/terminus';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { Public } from '@medgenie/auth';
import { REDIS } from '../redis/redis.module';

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref())]);
}

/** A ping that waits for a connection still being made (at start-up, after a reconnect). */
async function pingWhenReady(redis: Redis): Promise<string> {
  if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  return redis.ping();
}

@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis | null,
  ) {}

  /** Liveness: the process serves requests. */
  @Get('healthz')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** Readiness: the region's database answers (and Redis, when configured). */
  @Get('readyz')
  @HealthCheck()
  ready() {
    const checks: HealthIndicatorFunction[] = [
      async () => {
        const session = this.indicators.check('database');
        try {
          await withTimeout(this.dataSource.query('select 1'), 1_000);
          return session.up();
        } catch (err) {
          return session.down({ message: (err as Error).message });
        }
      },
    ];
    const redis = this.redis;
    if (redis) {
      checks.push(async () => {
        const session = this.indicators.check('redis');
        try {
          await withTimeout(pingWhenReady(redis), 1_000);
          return session.up();
        } catch (err) {
          return session.down({ message: (err as Error).message });
        }
      });
    }
    return this.health.check(checks);
  }
}
