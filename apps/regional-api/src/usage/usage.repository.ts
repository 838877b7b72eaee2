import { Injectable } from '@nestjs/common';
import type { UsageCounts } from '@medgenie/contracts';
import { prepared, TransactionHost } from '@medgenie/database';

/** One organization's counts, as the region reports them (no patient data), with its API requests on a day. */
export interface OrgCounts extends UsageCounts {
  apiRequests: number;
}

// One statement per org, each count an index range on (organization_id, ...): the org's own
// rows only, never a scan of the table. Storage is the attachments' recorded sizes (the bytes
// live in the blob store). A doctor is a doctor profile; staff are active staff memberships.
// Prepared (named) like the per-request statements: a report runs it once per org, and planning
// its seven subqueries with their RLS policies cost more than running them (bench/usage-collection).
// Exported for that benchmark, which EXPLAINs it on a region of 10,000 orgs.
export const COUNTS_SQL = `select
    exists (select 1 from organizations where id = $1) as known,
    (select count(*)::int from doctors where organization_id = $1 and is_active) as doctors,
    (select count(*)::int from patients where organization_id = $1) as patients,
    (select count(*)::int from clinics where organization_id = $1 and is_active) as clinics,
    (select count(*)::int from memberships where organization_id = $1 and role = 'staff' and is_active) as staff,
    (select coalesce(sum(size_bytes), 0)::text from dental_attachments where organization_id = $1) as storage_bytes,
    (select coalesce(sum(api_requests), 0)::text from usage_daily where organization_id = $1 and day = $2::date) as api_requests`;
const COUNTS = prepared(COUNTS_SQL);

const ADD_REQUESTS = prepared(`insert into usage_daily (organization_id, day, api_requests) values ($1, $2::date, $3)
  on conflict (organization_id, day) do update set api_requests = usage_daily.api_requests + excluded.api_requests, updated_at = now()`);

interface CountsRow {
  known: boolean;
  doctors: number;
  patients: number;
  clinics: number;
  staff: number;
  storage_bytes: string;
  api_requests: string;
}

/** The usage counts of the organization of the current transaction (RequestTransactions.runForService). */
@Injectable()
export class UsageRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** The org's counts, with its API requests on `day` (YYYY-MM-DD); null when the org is not in this region. */
  async counts(day: string): Promise<OrgCounts | null> {
    const sql = this.tx.sql;
    const [row] = await sql.run<CountsRow>(COUNTS, [sql.orgId, day]);
    if (!row?.known) return null;
    return {
      doctors: row.doctors,
      patients: row.patients,
      clinics: row.clinics,
      staff: row.staff,
      storageBytes: Number(row.storage_bytes),
      apiRequests: Number(row.api_requests),
    };
  }

  /** Adds `count` requests to the org's `day`. */
  async addRequests(day: string, count: number): Promise<void> {
    const sql = this.tx.sql;
    await sql.run(ADD_REQUESTS, [sql.orgId, day, count]);
  }
}
