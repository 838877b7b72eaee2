import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { REGIONAL_CONFIG, RegionalConfig } from '../config/regional.config';
import { RequestTransactions } from '../database/request-transaction.interceptor';
import { RequestCounter, utcDay } from './request-counter';
import { OrgUsage, UsageReport } from './usage.dto';
import { UsageRepository } from './usage.repository';

/** How often each instance writes its request counts (one upsert per org that made requests). */
export const REQUEST_FLUSH_INTERVAL_MS = 30_000;
/** Organizations counted at once (each in its own short transaction). */
const CONCURRENCY = 2;

async function inBatches<T, R>(items: T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    results.push(...(await Promise.all(items.slice(i, i + size).map(work))));
  }
  return results;
}

/**
 * Per-organization usage for the control plane. The app role is under forced row-level security
 * and sees one pinned org at a time, so each org is counted in its own transaction
 * (`runForService`: one statement of index-range counts on the org's rows). Nothing here widens
 * what the app role may read: no BYPASSRLS function, no policy exception, and the counts never
 * leave with a row of patient data.
 */
@Injectable()
export class UsageService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(UsageService.name);
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly transactions: RequestTransactions,
    private readonly usage: UsageRepository,
    private readonly counter: RequestCounter,
    @Inject(REGIONAL_CONFIG) private readonly config: RegionalConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), REQUEST_FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  /** Writes the pending request counts, one upsert per org and day; what fails is kept for the next flush. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const pending = this.counter.drain();
      const failed: typeof pending = [];
      await inBatches(pending, CONCURRENCY, async (entry) => {
        try {
          await this.transactions.runForService(entry.orgId, () => this.usage.addRequests(entry.day, entry.count));
        } catch (err) {
          failed.push(entry);
          this.logger.warn(`request counts of an org could not be written: ${(err as Error).message}`);
        }
      });
      this.counter.restore(failed);
    });
    return this.flushing;
  }

  /** The counts of each org asked for that this region holds, with its API requests on `date` (default today, UTC). */
  async report(orgIds: string[], date?: string): Promise<UsageReport> {
    const day = date ?? utcDay(new Date());
    await this.flush();
    const unique = [...new Set(orgIds.map((id) => id.toLowerCase()))];
    const counted = await inBatches(unique, CONCURRENCY, async (orgId) => ({
      orgId,
      counts: await this.transactions.runForService(orgId, () => this.usage.counts(day)),
    }));
    const organizations: OrgUsage[] = [];
    const unknown: string[] = [];
    for (const { orgId, counts } of counted) {
      if (!counts) {
        unknown.push(orgId);
        continue;
      }
      const { apiRequests, ...rest } = counts;
      organizations.push({ orgId, ...rest, apiRequests: { date: day, count: apiRequests } });
    }
    return { regionId: this.config.regionId, date: day, organizations, unknown };
  }
}
