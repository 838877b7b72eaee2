import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@medgenie/database';

/** A plan limit's key in `organizations.limits` (seed 002). */
export type LimitKey = 'maxPatients' | 'maxClinics' | 'maxDoctors';

const LOCK_LIMIT = `select (limits ->> $2)::int as max from organizations where id = $1 for update`;
const LOCK_ORG = `select 1 from organizations where id = $1 for update`;
/** The storage limit and what the org's files take, the organization row locked first. */
const LOCK_STORAGE = `with org as (select (limits ->> 'maxStorageMb')::int as max_mb from organizations where id = $1 for update)
  select org.max_mb as "maxMb",
         (select coalesce(sum(size_bytes), 0)::float8 from dental_attachments where organization_id = $1) as "usedBytes"
    from org`;
/** What each limit counts (the counts assertWithinLimit's callers make), in one statement. */
const USAGE = `select
    (select count(*)::int from doctors where organization_id = $1) as "maxDoctors",
    (select count(*)::int from patients where organization_id = $1) as "maxPatients",
    (select count(*)::int from clinics where organization_id = $1) as "maxClinics"`;

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

  /**
   * The storage limit in MiB (null: unlimited) and the bytes the org's files take, read with the
   * organization row locked for the rest of the transaction: uploads recorded at the same time
   * queue on the row, so only what fits is recorded.
   */
  async lockStorage(): Promise<{ maxMb: number | null; usedBytes: number }> {
    const sql = this.tx.sql;
    const [row] = await sql.query<{ maxMb: number | null; usedBytes: number }>(LOCK_STORAGE, [sql.orgId]);
    return row ?? { maxMb: null, usedBytes: 0 };
  }

  /**
   * What each limit counts now, read after locking the organization row (a create waits for the
   * rest of the transaction, so a plan change decided on these counts cannot be overtaken).
   */
  async lockUsage(): Promise<Record<LimitKey, number>> {
    const sql = this.tx.sql;
    await sql.query(LOCK_ORG, [sql.orgId]);
    const [row] = await sql.query<Record<LimitKey, number>>(USAGE, [sql.orgId]);
    return row;
  }
}
