import { EntityManager } from 'typeorm';
import { DomainError } from '@medgenie/http';
import { HttpStatus } from '@nestjs/common';
import { ErrorCode } from '../common/errors';

export type LimitKey = 'maxPatients' | 'maxClinics' | 'maxDoctors';

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
    throw new DomainError(
      ErrorCode.PlanLimitReached,
      `Your plan allows ${max} ${key.replace('max', '').toLowerCase()}; upgrade to add more`,
      HttpStatus.PAYMENT_REQUIRED,
    );
  }
}
