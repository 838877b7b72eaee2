import { Controller, Get, Inject, Logger, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorFunction, HealthIndicatorService } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import Redis from 'ioredis';
import { Public } from '@medgenie/auth';
import { DatabaseProbe } from '@medgenie/database';
import { REGIONAL_CONFIG, RegionalConfig } from '../config/regional.config';
import { REDIS } from '../redis/redis.module';

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms).unref())]);
}

/**
 * How long /readyz waits for Redis's answer. Redis only informs (it never decides readiness), so a
 * Redis that hangs must not hold the answer: the gateway's probe gives up after 1 s, and a probe
 * that gets no answer counts towards taking the whole region out of service.
 */
const REDIS_STATUS_TIMEOUT_MS = 250;

/** A ping that waits for a connection still being made (at start-up, after a reconnect). */
async function pingWhenReady(redis: Redis): Promise<string> {
  if (redis.status !== 'ready') await new Promise((resolve) => redis.once('ready', resolve));
  return redis.ping();
}

@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  private readonly logger = new Logger('HealthController');
  private databaseUp = true;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly database: DatabaseProbe,
    @Inject(REGIONAL_CONFIG) private readonly config: RegionalConfig,
    @Inject(REDIS) private readonly redis: Redis | null,
  ) {}

  /** Liveness: the process serves requests. Touches nothing else. */
  @Get('healthz')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /**
   * Readiness: the region's database answers within DATABASE_READY_TIMEOUT_MS. The database is
   * asked over a connection of its own, so this answers the same whether the request pool is idle
   * or exhausted; a result is reused for 200 ms. Down is a 503 with the same body, not an error
   * (nothing to log per poll). The gateway's breaker polls this: a region that is not ready
   * takes no requests.
   *
   * Redis, when configured, is reported (`info.redis`) but does not decide readiness: no request
   * of the regional API needs it, and a Redis outage must not take the region offline.
   */
  @Get('readyz')
  @HealthCheck()
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<HealthCheckResult | string | object> {
    const checks: HealthIndicatorFunction[] = [
      async () => {
        const session = this.indicators.check('database');
        const result = await this.database.check();
        this.noteDatabase(result.up, result.error);
        return result.up ? session.up() : session.down({ message: result.reason });
      },
    ];
    const redis = this.redis ? this.redisStatus(this.redis) : undefined;
    let result: HealthCheckResult | object;
    try {
      result = await this.health.check(checks);
    } catch (err) {
      if (!(err instanceof ServiceUnavailableException)) throw err;
      void reply.status(503);
      result = err.getResponse() as object;
    }
    if (redis) {
      const status = await redis;
      const r = result as { info?: Record<string, unknown>; details?: Record<string, unknown> };
      r.info = { ...(r.info ?? {}), redis: status };
      r.details = { ...(r.details ?? {}), redis: status };
    }
    return result;
  }

  private async redisStatus(redis: Redis): Promise<{ status: 'up' | 'down'; message?: string }> {
    try {
      await withTimeout(pingWhenReady(redis), Math.min(REDIS_STATUS_TIMEOUT_MS, this.config.database.readyTimeoutMs));
      return { status: 'up' };
    } catch {
      // A public answer: no address, no driver message.
      return { status: 'down', message: 'not reachable' };
    }
  }

  /** Logs the changes only: polled every 500 ms, a database that stays down is logged once. */
  private noteDatabase(up: boolean, error: Error | undefined): void {
    if (up === this.databaseUp) return;
    this.databaseUp = up;
    if (up) this.logger.log('the database answers again');
    else this.logger.warn({ err: error }, 'the database does not answer');
  }
}
