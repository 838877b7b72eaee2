import { ErrorCode, fail } from '../common/errors';
import { LimitKey, PlanLimitsRepository } from './plan-limits.repository';

export type { LimitKey } from './plan-limits.repository';

/** What each limit counts, singular and plural. */
const NOUNS: Record<LimitKey, [one: string, many: string]> = {
  maxPatients: ['patient', 'patients'],
  maxClinics: ['clinic', 'clinics'],
  maxDoctors: ['doctor', 'doctors'],
};

/** "Your plan allows 1 clinic; …", "… 5 doctors; …". */
export function planLimitMessage(key: LimitKey, max: number): string {
  const [one, many] = NOUNS[key];
  return `Your plan allows ${max} ${max === 1 ? one : many}; upgrade to add more`;
}

/**
 * Enforces a plan limit (seed 002) before a create: the one rule for what counts (a doctor is a
 * doctor profile, a patient a patient row, a clinic a clinic row), applied in the region for the
 * API and for provisioning alike. Reading the limit locks the organization row for the rest of the
 * transaction, and the count runs after the lock is held (a new snapshot under READ COMMITTED), so
 * concurrent creates queue on the row and only one can take the last place. Unlimited plans (null)
 * count nothing. The refusal carries the limit and the usage (`limit: {key, max}`, `usage`).
 */
export async function assertWithinLimit(
  limits: Pick<PlanLimitsRepository, 'lockLimit'>,
  key: LimitKey,
  count: () => Promise<number>,
): Promise<void> {
  const max = await limits.lockLimit(key);
  if (max === null) return;
  const current = await count();
  if (current >= max) {
    throw fail(ErrorCode.PlanLimitReached, planLimitMessage(key, max), undefined, { limit: { key, max }, usage: current });
  }
}

const MIB = 1024 * 1024;

/**
 * Enforces the plan's storage limit (seed 002: the trial's 1,000 MB) for a file of `incomingBytes`:
 * with the organization row locked, what the org's files take plus the new one must fit. The
 * refusal is the same 402 PLAN_LIMIT_REACHED, with the limit in MiB and the usage in bytes.
 */
export async function assertStorageWithin(limits: Pick<PlanLimitsRepository, 'lockStorage'>, incomingBytes: number): Promise<void> {
  const { maxMb, usedBytes } = await limits.lockStorage();
  if (maxMb === null || usedBytes + incomingBytes <= maxMb * MIB) return;
  throw fail(ErrorCode.PlanLimitReached, `Your plan allows ${maxMb} MB of stored files; upgrade or delete files to add more`, undefined, {
    limit: { key: 'maxStorageMb', max: maxMb },
    usage: usedBytes,
  });
}

/** A limit the organization's usage is above. */
export interface Overage {
  key: LimitKey;
  max: number;
  usage: number;
}

const LIMIT_KEYS = Object.keys(NOUNS) as LimitKey[];

/** The limits of `limits` that `usage` is above (null: unlimited), in a fixed order. */
export function overage(limits: Partial<Record<LimitKey, number | null>>, usage: Record<LimitKey, number>): Overage[] {
  return LIMIT_KEYS.flatMap((key) => {
    const max = limits[key];
    return max !== null && max !== undefined && usage[key] > max ? [{ key, max, usage: usage[key] }] : [];
  });
}

/** "The plan allows 1 clinic and 5 doctors; the organization has 2 clinics and 7 doctors". */
export function planBelowUsageMessage(plan: string, over: Overage[]): string {
  const noun = (key: LimitKey, n: number) => `${n} ${NOUNS[key][n === 1 ? 0 : 1]}`;
  const list = (parts: string[]) => (parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0]);
  return `The ${plan} plan allows ${list(over.map((o) => noun(o.key, o.max)))}; the organization has ${list(over.map((o) => noun(o.key, o.usage)))}`;
}

/**
 * The overage of the organization under `limits`, counted with the organization row locked; with
 * `refuse`, a plan below the usage is refused (409 PLAN_BELOW_USAGE, with what exceeds in `exceeds`).
 */
export async function assertPlanFits(
  limits: Pick<PlanLimitsRepository, 'lockUsage'>,
  plan: string,
  planLimits: Partial<Record<LimitKey, number | null>>,
  refuse: boolean,
): Promise<Overage[]> {
  const over = overage(planLimits, await limits.lockUsage());
  if (over.length > 0 && refuse) throw fail(ErrorCode.PlanBelowUsage, planBelowUsageMessage(plan, over), undefined, { exceeds: over });
  return over;
}
