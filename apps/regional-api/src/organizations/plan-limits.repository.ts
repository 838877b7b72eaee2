import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@medgenie/database';

/** A plan limit's key in `organizations.limits` (seed 002). */
export type LimitKey = 'maxPatients' | 'maxClinics' | 'maxDoctors';

const LOCK_LIMIT = `select (limits ->> $2)::int as max from organizations where id = $1 for update`;

/** The organization's plan limits, read for a create that they bound. */
@Injectable()
export class PlanLimitsRepository {
  constructor(private readonly tx: TransactionHost) {}

  /**
   * The limit `key` of the transaction's organization (null when unlimited or unknown), with the
   * organization row locked for the rest of the transaction when the org exists.
   */
  async lockLimit(key: LimitKey): Promise<number | null> {
    const sql = this.tx.sql;
    const [row] = await sql.query<{ max: number | null }>(LOCK_LIMIT, [sql.orgId, key]);
    return row?.max ?? null;
  }
}
