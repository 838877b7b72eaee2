import type { DayRange } from '../api/medgenie';
import type { UsageDay, UsageHistory } from '../api/types';
import { minorDigits } from '../i18n/i18n';

/** A line (or bar) of a chart; null is a day with nothing collected (a gap, never a zero). */
export interface ChartSeries {
  label: string;
  data: (number | null)[];
}

export interface ChartData {
  labels: string[];
  datasets: ChartSeries[];
}

export type HistoryMetric = 'organizations' | 'doctors' | 'patients' | 'clinics' | 'storageBytes' | 'apiRequests';

/** The ranges offered over time, in days up to today. */
export const RANGES = [30, 90, 365] as const;
export type RangeDays = (typeof RANGES)[number];

const DAY_MS = 24 * 60 * 60_000;
const MIB = 1024 * 1024;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The `days` days up to and including `today` (YYYY-MM-DD, UTC). */
export function rangeEnding(today: string, days: number): Required<DayRange> {
  const end = Date.parse(`${today}T00:00:00Z`);
  return { from: day(end - (days - 1) * DAY_MS), to: today };
}

/** The `days` days up to and including today (UTC), as the charts over time ask for them. */
export const lastDays = (days: number): Required<DayRange> => rangeEnding(day(Date.now()), days);

/** Every day from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let at = Date.parse(`${from}T00:00:00Z`), end = Date.parse(`${to}T00:00:00Z`); at <= end; at += DAY_MS) out.push(day(at));
  return out;
}

/** Storage in MiB to one decimal, the unit its chart is drawn in. */
export const mebibytes = (bytes: number) => Math.round((bytes / MIB) * 10) / 10;

/** One organization's days as charts: doctors and patients, storage (MiB) and API requests per day. */
export function organizationCharts(series: UsageDay[], range: Required<DayRange>, labels: { doctors: string; patients: string; storage: string; apiRequests: string }) {
  const days = daysBetween(range.from, range.to);
  const byDay = new Map(series.map((d) => [d.date, d]));
  const pick = (value: (d: UsageDay) => number) => days.map((date) => (byDay.has(date) ? value(byDay.get(date)!) : null));
  return {
    people: { labels: days, datasets: [{ label: labels.doctors, data: pick((d) => d.doctors) }, { label: labels.patients, data: pick((d) => d.patients) }] },
    storage: { labels: days, datasets: [{ label: labels.storage, data: pick((d) => mebibytes(d.storageBytes)) }] },
    requests: { labels: days, datasets: [{ label: labels.apiRequests, data: pick((d) => d.apiRequests) }] },
  } satisfies Record<string, ChartData>;
}

/** One line per region (or plan) of `metric` per day; a day not collected is a gap. */
export function historyChart(history: UsageHistory, metric: HistoryMetric): ChartData {
  const days = daysBetween(history.from, history.to);
  const keys = [...new Set(history.usage.map((u) => u.key))].sort();
  const values = new Map(history.usage.map((u) => [`${u.date}|${u.key}`, metric === 'storageBytes' ? mebibytes(u.storageBytes) : u[metric]]));
  return { labels: days, datasets: keys.map((key) => ({ label: key, data: days.map((date) => values.get(`${date}|${key}`) ?? null) })) };
}

/**
 * Monthly recurring revenue per region (or plan) and currency per day, in the currency's major
 * unit. A group with usage collected that day but no paying organization earned 0; a day not
 * collected is a gap.
 */
export function revenueChart(history: UsageHistory): ChartData {
  const days = daysBetween(history.from, history.to);
  const collected = new Set(history.usage.map((u) => `${u.date}|${u.key}`));
  const lines = [...new Set(history.revenue.map((r) => `${r.key}|${r.currency}`))].sort();
  const mrr = new Map(history.revenue.map((r) => [`${r.date}|${r.key}|${r.currency}`, r.mrr]));
  return {
    labels: days,
    datasets: lines.map((line) => {
      const [key, currency] = line.split('|');
      const unit = 10 ** minorDigits(currency);
      return {
        label: `${key} (${currency.toUpperCase()})`,
        data: days.map((date) => {
          const amount = mrr.get(`${date}|${line}`);
          if (amount !== undefined) return amount / unit;
          return collected.has(`${date}|${key}`) ? 0 : null;
        }),
      };
    }),
  };
}
