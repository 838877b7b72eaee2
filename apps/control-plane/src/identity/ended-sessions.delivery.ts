import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { closeRedis, createOptionalRedis } from '../common/redis';
import { SESSION_REVOCATIONS_CHANNEL, SESSION_REVOCATIONS_KEY, SessionsEndedEvent } from '@medgenie/contracts';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';
import { RegionalClient } from '../regional/regional-client';
import { DueSession, EndedSessionsRepository } from './ended-sessions.repository';

/** Sessions pushed to regions per call. */
const BATCH = 500;

/**
 * Takes ended sessions where their tokens are checked (issue 14: within 5 s everywhere): to the
 * user's region (`POST /internal/v1/organizations/:orgId/ended-sessions`, which every request's
 * first statement consults there) and to the gateways (a Redis sorted set they load when they
 * connect, and a message on `medgenie:sessions-ended`). Delivery runs as soon as a session ends
 * (`kick`) and on a short timer for what failed (a region down): retried with backoff until the
 * region took it or its tokens expired anyway. A platform admin's session has no region: the
 * gateways and this control plane's own guard refuse it.
 */
@Injectable()
export class EndedSessionsDelivery implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EndedSessionsDelivery.name);
  private readonly redis: Redis | null;
  private timer?: NodeJS.Timeout;
  private running: Promise<void> | null = null;
  private again = false;
  private sweeps = 0;

  constructor(
    private readonly sessions: EndedSessionsRepository,
    private readonly regional: RegionalClient,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
  ) {
    this.redis = config.redisUrl ? createOptionalRedis(config.redisUrl, 1_000) : null;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.kick(), this.config.sessions.deliveryIntervalMs);
    this.timer.unref();
  }

  /**
   * Delivers whatever is due now; resolves when this round is done (a caller may wait on it, bounded).
   * One round at a time per instance: a kick during a round runs another one after it.
   */
  kick(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.rounds().finally(() => (this.running = null));
    return this.running;
  }

  /** `kick`, waited for at most `ms`: a logout answers promptly even while a region is down. */
  async kickWithin(ms = 1_500): Promise<void> {
    let timeout: NodeJS.Timeout | undefined;
    await Promise.race([this.kick(), new Promise<void>((resolve) => (timeout = setTimeout(resolve, ms)))]);
    clearTimeout(timeout);
  }

  private async rounds(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.deliverDue();
        if (++this.sweeps % 3600 === 0) await this.sessions.prune();
      } catch (err) {
        this.logger.warn({ err: (err as Error).message }, 'ended sessions not delivered; retrying');
      }
    } while (this.again);
  }

  private async deliverDue(): Promise<void> {
    for (;;) {
      const due = await this.sessions.claimDue(BATCH);
      if (!due.length) return;
      await this.announce(due);
      const delivered: string[] = [];
      for (const group of byOrganization(due)) {
        if (!group.regionId || !group.organizationId) {
          delivered.push(...group.sessions.map((s) => s.sessionId)); // a platform admin's: no region holds its tokens
          continue;
        }
        try {
          await this.regional.endSessions(
            group.regionId,
            group.organizationId,
            group.sessions.map((s) => ({ sessionId: s.sessionId, expiresAt: s.expiresAt.toISOString() })),
          );
          delivered.push(...group.sessions.map((s) => s.sessionId));
        } catch (err) {
          this.logger.warn({ err: (err as Error).message, regionId: group.regionId, organizationId: group.organizationId }, 'ended sessions not delivered to the region; retrying');
        }
      }
      await this.sessions.markDelivered(delivered);
      if (due.length < BATCH) return;
    }
  }

  /** Tells the gateways (best effort: the regions refuse the tokens whether or not a gateway heard). */
  private async announce(due: DueSession[]): Promise<void> {
    if (!this.redis) return;
    const latest = Math.max(...due.map((s) => s.expiresAt.getTime()));
    const event: SessionsEndedEvent = { sessionIds: due.map((s) => s.sessionId), expiresAtMs: latest };
    try {
      const args = due.flatMap((s) => [s.expiresAt.getTime(), s.sessionId]);
      await this.redis
        .multi()
        .zadd(SESSION_REVOCATIONS_KEY, ...args)
        .zremrangebyscore(SESSION_REVOCATIONS_KEY, '-inf', Date.now())
        .publish(SESSION_REVOCATIONS_CHANNEL, JSON.stringify(event))
        .exec();
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'ended sessions not announced to the gateways');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running?.catch(() => undefined);
    await closeRedis(this.redis);
  }
}

function byOrganization(due: DueSession[]): { regionId: string | null; organizationId: string | null; sessions: DueSession[] }[] {
  const groups = new Map<string, { regionId: string | null; organizationId: string | null; sessions: DueSession[] }>();
  for (const s of due) {
    const key = `${s.regionId}/${s.organizationId}`;
    const group = groups.get(key) ?? { regionId: s.regionId, organizationId: s.organizationId, sessions: [] };
    group.sessions.push(s);
    groups.set(key, group);
  }
  return [...groups.values()];
}
