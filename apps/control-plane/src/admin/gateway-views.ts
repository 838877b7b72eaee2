import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { closeRedis, createOptionalRedis } from '../common/redis';
import { GATEWAY_VIEW_PREFIX, GATEWAY_VIEW_TTL_MS, GatewayRegionView } from '@medgenie/contracts';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';

/** A region as the gateways see it: how many report, route to it (breaker closed) and find it ready. */
export interface RegionAsGatewaysSeeIt {
  reporting: number;
  routing: number;
  ready: number;
}

interface StoredView {
  gatewayId: string;
  at: string;
  receivedAt: string;
  regions: Record<string, GatewayRegionView>;
}

/** A Redis command gives up after this long (Redis slow; down, it fails at once): the Regions page still answers. */
const COMMAND_TIMEOUT_MS = 1_000;
const MAX_GATEWAYS = 10_000;

/**
 * The gateways' own views of the regions, as they report them (each expires unless renewed). With
 * Redis they are kept there, shared by every control plane instance; without it, in this
 * instance's memory. Redis down: the views are unknown (null), never an empty "no gateway" that
 * looks real, and a report is dropped (the gateway sends the next one in a couple of seconds).
 */
@Injectable()
export class GatewayViews implements OnApplicationShutdown {
  private readonly logger = new Logger(GatewayViews.name);
  private readonly redis: Redis | null;
  private readonly local = new Map<string, { expires: number; view: StoredView }>();

  constructor(@Inject(CONTROL_PLANE_CONFIG) config: ControlPlaneConfig) {
    this.redis = config.redisUrl ? createOptionalRedis(config.redisUrl, COMMAND_TIMEOUT_MS) : null;
  }

  async put(gatewayId: string, at: string, regions: Record<string, GatewayRegionView>): Promise<void> {
    const view: StoredView = { gatewayId, at, receivedAt: new Date().toISOString(), regions };
    if (!this.redis) {
      this.sweep();
      if (this.local.size >= MAX_GATEWAYS && !this.local.has(gatewayId)) return;
      this.local.set(gatewayId, { expires: Date.now() + GATEWAY_VIEW_TTL_MS, view });
      return;
    }
    await this.redis.set(GATEWAY_VIEW_PREFIX + gatewayId, JSON.stringify(view), 'PX', GATEWAY_VIEW_TTL_MS).catch((err: Error) => this.logger.debug(`gateway view not kept: ${err.message}`));
  }

  async remove(gatewayId: string): Promise<void> {
    this.local.delete(gatewayId);
    await this.redis?.del(GATEWAY_VIEW_PREFIX + gatewayId).catch(() => undefined);
  }

  /** Per region id, what the reporting gateways see; null when the views cannot be read. */
  async byRegion(): Promise<Map<string, RegionAsGatewaysSeeIt> | null> {
    const views = await this.read();
    if (!views) return null;
    const regions = new Map<string, RegionAsGatewaysSeeIt>();
    for (const view of views) {
      for (const [regionId, seen] of Object.entries(view.regions)) {
        const r = regions.get(regionId) ?? { reporting: 0, routing: 0, ready: 0 };
        r.reporting += 1;
        if (seen.routing) r.routing += 1;
        if (seen.ready) r.ready += 1;
        regions.set(regionId, r);
      }
    }
    return regions;
  }

  private sweep(now = Date.now()): void {
    for (const [id, entry] of this.local) if (entry.expires <= now) this.local.delete(id);
  }

  private async read(): Promise<StoredView[] | null> {
    if (!this.redis) {
      this.sweep();
      return [...this.local.values()].map((e) => e.view);
    }
    try {
      return await this.scan(this.redis);
    } catch (err) {
      this.logger.warn(`gateway views unavailable: ${(err as Error).message}`);
      return null;
    }
  }

  private async scan(redis: Redis): Promise<StoredView[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${GATEWAY_VIEW_PREFIX}*`, 'COUNT', 500);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== '0' && keys.length < MAX_GATEWAYS);
    if (!keys.length) return [];
    const values = await redis.mget(...keys);
    return values.flatMap((v) => {
      try {
        const view = v ? (JSON.parse(v) as StoredView) : null;
        return view && typeof view.regions === 'object' && view.regions !== null ? [view] : [];
      } catch {
        return [];
      }
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await closeRedis(this.redis);
  }
}
