import { Injectable } from '@nestjs/common';

/** Today in UTC, YYYY-MM-DD. */
export const utcDay = (at: Date): string => at.toISOString().slice(0, 10);

/**
 * API requests per organization per day, counted in memory (a Map increment per request) and
 * drained by the flush, which writes one upsert per org: no write to Postgres per request.
 */
@Injectable()
export class RequestCounter {
  private counts = new Map<string, number>();

  increment(orgId: string, at: Date = new Date()): void {
    const key = `${orgId}|${utcDay(at)}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** Takes every pending count (the counter starts again from zero). */
  drain(): { orgId: string; day: string; count: number }[] {
    const taken = this.counts;
    this.counts = new Map();
    return [...taken].map(([key, count]) => {
      const [orgId, day] = key.split('|');
      return { orgId, day, count };
    });
  }

  /** Gives back counts a flush could not write, to be written by the next one. */
  restore(entries: { orgId: string; day: string; count: number }[]): void {
    for (const { orgId, day, count } of entries) {
      const key = `${orgId}|${day}`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + count);
    }
  }
}
