import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ErrorCode, fail } from '../common/errors';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';
import { RegionalClient } from '../regional/regional-client';
import { UsageRepository, UsageRow } from './usage.repository';
import { RegionOrgUsage, UsageAggregate, UsageDay } from './usage.types';

/** The most organizations asked of a region in one call (the region's own cap). */
export const ORGS_PER_CALL = 200;
const DAY_MS = 24 * 60 * 60_000;

export const utcDay = (at: Date): string => at.toISOString().slice(0, 10);

export interface OrganizationUsage {
  organizationId: string;
  latest: UsageDay | null;
  series: UsageDay[];
  current: (Omit<UsageRow, 'orgId'> & { at: string }) | null;
  currentUnavailable: string | null;
}

export interface CollectionResult {
  date: string;
  regions: { regionId: string; organizations: number; error?: string }[];
}

/**
 * Pulls per-org usage from every active region (on a schedule and on demand) and keeps one row
 * per org per day. What is kept is copied field by field from the region's answer (numbers
 * only), so nothing else a region might send (a name, a phone number) ever reaches this database.
 */
@Injectable()
export class UsageService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(UsageService.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<CollectionResult>;
  /** The clock that dates a collection (tests set it to simulate days). */
  clock: () => Date = () => new Date();

  constructor(
    private readonly usage: UsageRepository,
    private readonly regional: RegionalClient,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
  ) {}

  /** Collects every `USAGE_COLLECT_INTERVAL_MINUTES` (0: never on a schedule). */
  onModuleInit(): void {
    const interval = this.config.usage.collectIntervalMs;
    if (!interval) return;
    this.timer = setInterval(() => {
      this.collect().catch((err: Error) => this.logger.warn(`usage collection failed: ${err.message}`));
    }, interval);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Collects now; a call made while a collection runs waits for that one. */
  collect(): Promise<CollectionResult> {
    this.running ??= this.collectAll().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async collectAll(): Promise<CollectionResult> {
    const day = utcDay(this.clock());
    const regions: CollectionResult['regions'] = [];
    for (const regionId of await this.usage.activeRegions()) {
      const orgIds = await this.usage.activeOrgIds(regionId);
      let organizations = 0;
      try {
        for (let i = 0; i < orgIds.length; i += ORGS_PER_CALL) {
          const batch = orgIds.slice(i, i + ORGS_PER_CALL);
          const asked = new Set(batch);
          const report = await this.regional.usage(regionId, batch, day);
          const rows: UsageRow[] = (report.organizations ?? []).filter((o) => asked.has(o.orgId)).map(usageRow);
          organizations += await this.usage.upsertDay(regionId, day, rows);
        }
        regions.push({ regionId, organizations });
      } catch (err) {
        this.logger.warn(`usage of region ${regionId} not collected: ${(err as Error).message}`);
        regions.push({ regionId, organizations, error: (err as Error).message });
      }
    }
    return { date: day, regions };
  }

  /**
   * The org's latest day and its days from `from` to `to` (default: the 30 days up to today), and
   * its counts now, asked of its region (`current`; null with `currentUnavailable` saying why when
   * the region does not answer in time: the kept days are still answered).
   */
  async forOrganization(orgId: string, range: { from?: string; to?: string }): Promise<OrganizationUsage> {
    const regionId = await this.usage.regionOf(orgId);
    if (!regionId) throw fail(ErrorCode.OrganizationNotFound, 'No such organization');
    const { from, to } = this.range(range);
    const [latest, series, current] = await Promise.all([this.usage.latest(orgId), this.usage.series(orgId, from, to), this.current(regionId, orgId)]);
    return { organizationId: orgId, latest, series, ...current };
  }

  /** The org's counts as its region has them now (today's requests so far). */
  private async current(regionId: string, orgId: string): Promise<Pick<OrganizationUsage, 'current' | 'currentUnavailable'>> {
    const at = this.clock();
    try {
      const report = await this.regional.usage(regionId, [orgId], utcDay(at));
      const row = (report.organizations ?? []).find((o) => o.orgId === orgId);
      if (!row) return { current: null, currentUnavailable: `region ${regionId} does not know the organization (yet)` };
      const { orgId: _id, ...counts } = usageRow(row);
      return { current: { ...counts, at: at.toISOString() }, currentUnavailable: null };
    } catch (err) {
      return { current: null, currentUnavailable: (err as Error).message };
    }
  }

  /** `aggregates` per day over a range (30 days up to today by default, at most 366), with revenue per currency. */
  async history(by: 'region' | 'plan', range: { from?: string; to?: string }) {
    const { from, to } = this.range(range);
    return { by, from, to, ...(await this.usage.history(by, from, to)) };
  }

  private range(range: { from?: string; to?: string }): { from: string; to: string } {
    const to = range.to ?? utcDay(this.clock());
    const from = range.from ?? utcDay(new Date(Date.parse(`${to}T00:00:00Z`) - 30 * DAY_MS));
    if (Number.isNaN(Date.parse(`${from}T00:00:00Z`)) || Number.isNaN(Date.parse(`${to}T00:00:00Z`))) throw fail(ErrorCode.ValidationFailed, 'from and to must be days of the calendar');
    if (from > to) throw fail(ErrorCode.ValidationFailed, 'from must not be after to');
    if (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`) > 366 * DAY_MS) throw fail(ErrorCode.ValidationFailed, 'a series spans at most 366 days');
    return { from, to };
  }

  /** The most recent day with usage, if any. */
  latestDay(): Promise<string | null> {
    return this.usage.latestDay();
  }

  /** Sums over every org's row of `date` (default today), per region or per plan. */
  async aggregates(by: 'region' | 'plan', date?: string): Promise<{ by: string; date: string; groups: UsageAggregate[] }> {
    const day = date ?? utcDay(this.clock());
    return { by, date: day, groups: await this.usage.aggregate(day, by) };
  }
}

/** A region's report of one org, copied field by field (numbers only). */
function usageRow(o: RegionOrgUsage): UsageRow {
  return {
    orgId: o.orgId,
    doctors: count(o.doctors),
    patients: count(o.patients),
    clinics: count(o.clinics),
    staff: count(o.staff),
    storageBytes: count(o.storageBytes),
    apiRequests: count(o.apiRequests?.count),
  };
}

/** A count as reported: a non-negative whole number, or the row is refused. */
function count(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new Error('a region reported a count that is not a whole number');
  return value;
}
