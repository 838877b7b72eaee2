import { Injectable } from '@nestjs/common';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import { RegionalClient } from '../regional/regional-client';
import { RegionsService } from '../regions/regions.service';
import { UsageService } from '../usage/usage.service';
import { GatewayViews } from './gateway-views';

/** A region's health is probed at most this often, however often the console asks. */
const HEALTH_TTL_MS = 5_000;

type Health = Awaited<ReturnType<RegionalClient['health']>> & { checkedAt: string };

/**
 * The regions as platform admins see them (the console's Regions page): the registry's facts
 * (currency, compliance framework, domains), whether the region's API answers its readiness
 * probe now and whether the gateways route to it (their breakers), how many organizations it holds by status and plan, and its latest collected usage
 * and monthly recurring revenue. Counts only, never PHI.
 */
@Injectable()
export class RegionsOverviewService {
  private readonly health = new Map<string, { at: number; value: Promise<Health> }>();

  constructor(
    private readonly regions: RegionsService,
    private readonly organizations: OrganizationsRepository,
    private readonly regional: RegionalClient,
    private readonly usage: UsageService,
    private readonly gatewayViews: GatewayViews,
  ) {}

  async overview() {
    const [regions, counts, day, gateways] = await Promise.all([this.regions.listAll(), this.organizations.countsByRegion(), this.usage.latestDay(), this.gatewayViews.byRegion()]);
    const latest = day ? await this.usage.history('region', { from: day, to: day }) : { usage: [], revenue: [] };
    const items = await Promise.all(
      regions.map(async (region) => {
        const mine = counts.filter((c) => c.regionId === region.id);
        const byStatus: Record<string, number> = {};
        const byPlan: Record<string, number> = {};
        for (const c of mine) {
          byStatus[c.status] = (byStatus[c.status] ?? 0) + c.organizations;
          byPlan[c.plan] = (byPlan[c.plan] ?? 0) + c.organizations;
        }
        const usage = latest.usage.find((u) => u.key === region.id);
        return {
          ...region,
          health: region.status === 'retired' ? null : await this.healthOf(region.id),
          // As the gateways see it: null when their views cannot be read (no Redis, or Redis down).
          gateways: gateways ? (gateways.get(region.id) ?? { reporting: 0, routing: 0, ready: 0 }) : null,
          organizations: { total: mine.reduce((n, c) => n + c.organizations, 0), byStatus, byPlan },
          usage: usage && day ? { date: day, ...withoutKey(usage) } : null,
          revenue: latest.revenue.filter((r) => r.key === region.id).map(({ currency, organizations, mrr }) => ({ currency, organizations, mrr })),
        };
      }),
    );
    return { items };
  }

  private healthOf(regionId: string): Promise<Health> {
    const cached = this.health.get(regionId);
    if (cached && Date.now() - cached.at < HEALTH_TTL_MS) return cached.value;
    const value = this.regional.health(regionId).then((h) => ({ ...h, checkedAt: new Date().toISOString() }));
    this.health.set(regionId, { at: Date.now(), value });
    return value;
  }
}

function withoutKey<T extends { key: string; date?: string }>(row: T): Omit<T, 'key' | 'date'> {
  const { key: _key, date: _date, ...rest } = row;
  return rest;
}
