import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { closeRedis, createOptionalRedis } from '../common/redis';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';

export const REGISTRY_CHANNEL = 'medgenie:registry';

export interface RegistryEvent {
  type: 'organization.changed';
  organizationId: string;
  slug: string;
  regionId: string;
  status: string;
  /** Custom domains that started or stopped serving the org: a gateway drops what it cached for them, "unknown host" included. */
  domains?: string[];
}

/**
 * Publishes every registry change on Redis so the gateway's caches can drop the entry. Without
 * Redis (or with Redis down) publishing is skipped and caches fall back on their short TTL.
 */
@Injectable()
export class RegistryEvents implements OnApplicationShutdown {
  private readonly logger = new Logger(RegistryEvents.name);
  private readonly redis: Redis | null;

  constructor(@Inject(CONTROL_PLANE_CONFIG) config: ControlPlaneConfig) {
    this.redis = config.redisUrl ? createOptionalRedis(config.redisUrl) : null;
  }

  async publish(event: RegistryEvent): Promise<void> {
    if (!this.redis) return;
    try {
      await this.redis.publish(REGISTRY_CHANNEL, JSON.stringify(event));
    } catch (err) {
      this.logger.warn({ err: (err as Error).message, organizationId: event.organizationId }, 'registry event not published');
    }
  }

  /** Says goodbye to Redis (QUIT), or drops the connection when Redis does not answer: no timer outlives the app. */
  async onApplicationShutdown(): Promise<void> {
    await closeRedis(this.redis);
  }
}
