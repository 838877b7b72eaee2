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
