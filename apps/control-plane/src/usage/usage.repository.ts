import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { UsageCounts } from '@medgenie/contracts';
import { UsageAggregate, UsageDay } from './usage.types';

/** Monthly recurring revenue on one day, of one region or plan, in one currency (minor units). */
export interface UsageRevenue {
  date: string;
  key: string;
  currency: string;
  organizations: number;
  mrr: number;
}

/** A row to keep: the counts only (the region's answer is copied field by field, never as a whole). */
export interface UsageRow extends UsageCounts {
  orgId: string;
  apiRequests: number;
}


const SUMS = `count(*)::int AS organizations, sum(doctors)::float8 AS doctors, sum(patients)::float8 AS patients,
  sum(clinics)::float8 AS clinics, sum(staff)::float8 AS staff, sum(storage_bytes)::float8 AS "storageBytes", sum(api_requests)::float8 AS "apiRequests"`;
/** A subscription that brings revenue (Stripe keeps charging a past_due one), as billing counts it. */
const LIVE_BILLING = `b.subscription_status IN ('active', 'trialing', 'past_due') AND b.currency IS NOT NULL`;
/** Its monthly recurring revenue in minor units (a yearly price is a twelfth a month); 0 without one. */
const LIVE_MRR = `CASE WHEN ${LIVE_BILLING} THEN round(coalesce(b.unit_amount, 0) * b.quantity / CASE b.billing_interval WHEN 'yearly' THEN 12 ELSE 1 END)::bigint ELSE 0 END`;

/** Each org's row of a day ($2) in a region ($1), from the region's counts ($3) and the org's plan and revenue now. */
const UPSERT_DAY = `INSERT INTO usage_daily AS u (organization_id, day, region_id, plan, doctors, patients, clinics, staff, storage_bytes, api_requests, collected_at, mrr, currency)
  SELECT o.id, $2::date, o.region_id, o.plan, r.doctors, r.patients, r.clinics, r.staff, r.storage_bytes, r.api_requests, now(),
         ${LIVE_MRR}, CASE WHEN ${LIVE_BILLING} THEN trim(b.currency) END
    FROM jsonb_to_recordset($3::jsonb) AS r(org_id uuid, doctors int, patients int, clinics int, staff int, storage_bytes bigint, api_requests bigint)
    JOIN organizations o ON o.id = r.org_id AND o.region_id = $1
    LEFT JOIN organization_billing b ON b.organization_id = o.id
  ON CONFLICT (organization_id, day) DO UPDATE SET
    region_id = excluded.region_id, plan = excluded.plan, doctors = excluded.doctors, patients = excluded.patients,
    clinics = excluded.clinics, staff = excluded.staff, storage_bytes = excluded.storage_bytes,
    api_requests = excluded.api_requests, collected_at = excluded.collected_at, mrr = excluded.mrr, currency = excluded.currency
  RETURNING 1`;

/** Usage summed per day and region or plan, from $1 to $2. */
const HISTORY = (key: 'region_id' | 'plan') =>
  `SELECT to_char(day, 'YYYY-MM-DD') AS "date", ${key} AS "key", ${SUMS} FROM usage_daily WHERE day BETWEEN $1::date AND $2::date GROUP BY day, ${key} ORDER BY day, ${key}`;
/** Revenue per day, region or plan, and currency, from $1 to $2. */
const REVENUE_HISTORY = (key: 'region_id' | 'plan') =>
  `SELECT to_char(day, 'YYYY-MM-DD') AS "date", ${key} AS "key", trim(currency) AS currency, count(*)::int AS organizations, sum(mrr)::float8 AS mrr
     FROM usage_daily WHERE day BETWEEN $1::date AND $2::date AND mrr > 0 GROUP BY day, ${key}, currency ORDER BY day, ${key}, currency`;

const AGGREGATE_BY_REGION = `SELECT region_id AS "key", ${SUMS} FROM usage_daily WHERE day = $1::date GROUP BY region_id ORDER BY region_id`;
const AGGREGATE_BY_PLAN = `SELECT plan AS "key", ${SUMS} FROM usage_daily WHERE day = $1::date GROUP BY plan ORDER BY plan`;

/** The usage history of the control plane (no PHI: counts per org and day). */
@Injectable()
export class UsageRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The active regions' ids. */
  async activeRegions(): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(`SELECT id FROM regions WHERE status = 'active' ORDER BY id`);
    return rows.map((r) => r.id);
  }

  /** The active organizations of a region, by id (index organizations_region_status). */
  async activeOrgIds(regionId: string): Promise<string[]> {
    const rows: { id: string }[] = await this.dataSource.query(`SELECT id FROM organizations WHERE region_id = $1 AND status = 'active' ORDER BY id`, [regionId]);
    return rows.map((r) => r.id);
  }

  /**
   * Upserts each org's row of `day` in one statement, with the org's region and plan as they are
   * now; rows of orgs that are no longer in `regionId` are skipped.
   */
  async upsertDay(regionId: string, day: string, rows: UsageRow[]): Promise<number> {
    if (!rows.length) return 0;
    const result: unknown[] = await this.dataSource.query(
      UPSERT_DAY,
      [
        regionId,
        day,
        JSON.stringify(
          rows.map((r) => ({
            org_id: r.orgId,
            doctors: r.doctors,
            patients: r.patients,
            clinics: r.clinics,
            staff: r.staff,
            storage_bytes: r.storageBytes,
            api_requests: r.apiRequests,
          })),
        ),
      ],
    );
    return result.length;
  }

  /** The org's most recent day. */
  async latest(orgId: string): Promise<UsageDay | null> {
    const rows: UsageDay[] = await this.dataSource.query(`SELECT to_char(day, 'YYYY-MM-DD') AS "date", region_id AS "regionId", plan, doctors, patients, clinics, staff,
              storage_bytes::float8 AS "storageBytes", api_requests::float8 AS "apiRequests", collected_at AS "collectedAt"
         FROM usage_daily WHERE organization_id = $1 ORDER BY day DESC LIMIT 1`, [orgId]);
    return rows[0] ?? null;
  }

  /** The org's days from `from` to `to` (inclusive), oldest first. */
  series(orgId: string, from: string, to: string): Promise<UsageDay[]> {
    return this.dataSource.query(`SELECT to_char(day, 'YYYY-MM-DD') AS "date", region_id AS "regionId", plan, doctors, patients, clinics, staff,
              storage_bytes::float8 AS "storageBytes", api_requests::float8 AS "apiRequests", collected_at AS "collectedAt"
         FROM usage_daily WHERE organization_id = $1 AND day BETWEEN $2::date AND $3::date ORDER BY day`, [
      orgId,
      from,
      to,
    ]);
  }

  /** Sums of `day` per region or per plan (the org's plan on that day). */
  aggregate(day: string, by: 'region' | 'plan'): Promise<UsageAggregate[]> {
    return this.dataSource.query(by === 'region' ? AGGREGATE_BY_REGION : AGGREGATE_BY_PLAN, [day]);
  }

  /** Per day and region (or plan): organizations and usage summed, and revenue per currency. */
  async history(by: 'region' | 'plan', from: string, to: string): Promise<{ usage: (UsageAggregate & { date: string })[]; revenue: UsageRevenue[] }> {
    const key = by === 'region' ? 'region_id' : 'plan';
    const [usage, revenue] = await Promise.all([this.dataSource.query(HISTORY(key), [from, to]), this.dataSource.query(REVENUE_HISTORY(key), [from, to])]);
    return { usage, revenue };
  }

  /** The most recent day with usage rows, if any. */
  async latestDay(): Promise<string | null> {
    const [row] = (await this.dataSource.query(`SELECT to_char(max(day), 'YYYY-MM-DD') AS day FROM usage_daily`)) as { day: string | null }[];
    return row?.day ?? null;
  }

  /** The org's region, or null for no such org. */
  async regionOf(orgId: string): Promise<string | null> {
    const rows: { regionId: string }[] = await this.dataSource.query(`SELECT region_id AS "regionId" FROM organizations WHERE id = $1`, [orgId]);
    return rows[0]?.regionId ?? null;
  }
}
