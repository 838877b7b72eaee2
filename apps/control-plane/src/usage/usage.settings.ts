/**
 * How often the control plane collects usage from every active region, in minutes
 * (`USAGE_COLLECT_INTERVAL_MINUTES`, default 60; 0 turns the schedule off, collection on demand
 * only). The first scheduled run comes one interval after start.
 */
export const USAGE_COLLECT_INTERVAL_ENV = 'USAGE_COLLECT_INTERVAL_MINUTES';

export function usageCollectIntervalMs(env: Record<string, string | undefined> = process.env): number {
  const raw = env[USAGE_COLLECT_INTERVAL_ENV];
  if (raw === undefined || raw === '') return 60 * 60_000;
  if (!/^\d+$/.test(raw) || Number(raw) > 24 * 60) {
    throw new Error(`${USAGE_COLLECT_INTERVAL_ENV} must be a whole number of minutes from 0 (off) to 1440, not ${JSON.stringify(raw)}`);
  }
  return Number(raw) * 60_000;
}
