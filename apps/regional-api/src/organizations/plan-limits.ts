import { EntityManager } from 'typeorm';
import { ErrorCode, fail } from '../common/errors';

export type LimitKey = 'maxPatients' | 'maxClinics' | 'maxDoctors';

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

const LIMIT_SQL = `select (limits ->> $2)::int as max from organizations where id = $1 for update`;

/**
 * Enforces a plan limit (seed 002) before a create. The organization row is locked for the
 * rest of the transaction, so two concurrent creates cannot both take the last place.
 * Unlimited plans (null) take no lock.
 */
export async function assertWithinLimit(
  manager: EntityManager,
  orgId: string,
  key: LimitKey,
  count: (manager: EntityManager) => Promise<number>,
): Promise<void> {
  const rows: { max: number | null }[] = await manager.query(LIMIT_SQL, [orgId, key]);
  const max = rows[0]?.max;
  if (max === null || max === undefined) return;
  const current = await count(manager);
  if (current >= max) {
    throw fail(ErrorCode.PlanLimitReached, planLimitMessage(key, max));
  }
}
