import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { BillingInterval } from '@medgenie/contracts';

export type DunningStatus = 'none' | 'past_due' | 'suspended';

/** An organization's billing as the webhooks last left it (organization_billing). */
export interface BillingRow {
  organizationId: string;
  customerId: string | null;
  subscriptionId: string | null;
  subscriptionStatus: string | null;
  priceLookupKey: string | null;
  currency: string | null;
  unitAmount: number | null;
  interval: BillingInterval | null;
  quantity: number;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  subscriptionVersion: number;
  dunningStatus: DunningStatus;
  paymentFailedAt: Date | null;
  graceEndsAt: Date | null;
  suspendedAt: Date | null;
  paymentVersion: number;
}

/** What a subscription event leaves (the fields of organization_billing it owns). */
export interface SubscriptionState {
  subscriptionId: string;
  customerId: string;
  status: string;
  priceLookupKey: string | null;
  currency: string | null;
  unitAmount: number | null;
  interval: BillingInterval | null;
  quantity: number;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  version: number;
}

export interface BillingEventRecord {
  id: string;
  type: string;
  organizationId: string | null;
  objectId: string | null;
  created: Date;
  outcome: 'applied' | 'stale' | 'ignored';
  detail?: string;
}

export interface RevenueRow {
  key: string;
  currency: string;
  organizations: number;
  /** Monthly recurring revenue, in the currency's minor unit. */
  mrr: number;
}

export interface BillingHistoryEntry {
  occurredAt: Date;
  action: string;
  details: Record<string, unknown>;
}

const COLUMNS = `organization_id AS "organizationId", customer_id AS "customerId", subscription_id AS "subscriptionId",
  subscription_status AS "subscriptionStatus", price_lookup_key AS "priceLookupKey", trim(currency) AS "currency",
  unit_amount::float8 AS "unitAmount", billing_interval AS "interval", quantity, current_period_end AS "currentPeriodEnd",
  cancel_at_period_end AS "cancelAtPeriodEnd", subscription_version::float8 AS "subscriptionVersion", dunning_status AS "dunningStatus",
  payment_failed_at AS "paymentFailedAt", grace_ends_at AS "graceEndsAt", suspended_at AS "suspendedAt", payment_version::float8 AS "paymentVersion"`;

/** The rows a statement returned: TypeORM answers an UPDATE … RETURNING with [rows, count], an INSERT with the rows. */
function returned<T>(result: unknown): T[] {
  const r = result as unknown[];
  return (Array.isArray(r[0]) ? r[0] : r) as T[];
}

/** Monthly recurring revenue of a row, in minor units (a yearly price is a twelfth a month). */
const MRR = `round(coalesce(b.unit_amount, 0) * b.quantity / CASE b.billing_interval WHEN 'yearly' THEN 12 ELSE 1 END)`;
/** Subscriptions that bring revenue (Stripe keeps charging a past_due one). */
const LIVE = `b.subscription_status IN ('active', 'trialing', 'past_due')`;

const SELECT_ONE = `SELECT ${COLUMNS} FROM organization_billing WHERE organization_id = $1`;
const LOCK_ONE = `${SELECT_ONE} FOR UPDATE`;
const revenueBy = (key: string) => `SELECT ${key} AS "key", trim(b.currency) AS currency, count(*)::int AS organizations, sum(${MRR})::float8 AS mrr
  FROM organization_billing b JOIN organizations o ON o.id = b.organization_id
 WHERE ${LIVE} AND b.currency IS NOT NULL
 GROUP BY 1, 2 ORDER BY 1, 2`;
const REVENUE = { region: revenueBy('o.region_id'), plan: revenueBy('o.plan') } as const;

/** A transaction of billing's, handed from `inTransaction` to the other methods (opaque outside this file). */
export type BillingTransaction = EntityManager;

/**
 * The control plane's billing tables (organization_billing, billing_events) and the registry
 * fields billing drives (organizations.plan, trial end, payment hold), with the admin audit trail.
 * A webhook's event is recorded and applied in one transaction (`inTransaction`), its org's row
 * locked, so each event is applied once and two events of one org never interleave.
 */
@Injectable()
export class BillingRepository {
  constructor(private readonly dataSource: DataSource) {}

  async find(orgId: string, m: EntityManager = this.dataSource.manager): Promise<BillingRow | null> {
    const rows: BillingRow[] = await m.query(SELECT_ONE, [orgId]);
    return rows[0] ?? null;
  }

  /** The org's row, created empty if it has none, and locked until the transaction ends. */
  async lock(m: EntityManager, orgId: string): Promise<BillingRow> {
    await m.query(`INSERT INTO organization_billing (organization_id) VALUES ($1) ON CONFLICT (organization_id) DO NOTHING`, [orgId]);
    const rows: BillingRow[] = await m.query(LOCK_ONE, [orgId]);
    return rows[0];
  }

  /** The org whose Stripe customer this is. */
  async orgOfCustomer(customerId: string, m: EntityManager = this.dataSource.manager): Promise<string | null> {
    const rows: { id: string }[] = await m.query(`SELECT organization_id AS id FROM organization_billing WHERE customer_id = $1`, [customerId]);
    return rows[0]?.id ?? null;
  }

  /** Keeps the org's customer id (the first one: a second create for the same org loses). True when it is `customerId` now. */
  async setCustomer(orgId: string, customerId: string): Promise<string> {
    await this.dataSource.query(`INSERT INTO organization_billing (organization_id) VALUES ($1) ON CONFLICT (organization_id) DO NOTHING`, [orgId]);
    const rows = returned<{ customerId: string }>(
      await this.dataSource.query(
        `UPDATE organization_billing SET customer_id = coalesce(customer_id, $2), updated_at = now() WHERE organization_id = $1 RETURNING customer_id AS "customerId"`,
        [orgId, customerId],
      ),
    );
    return rows[0].customerId;
  }

  inTransaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Records a webhook event by id; false when it was recorded before (a replay: nothing to apply). */
  async recordEvent(m: EntityManager, event: BillingEventRecord): Promise<boolean> {
    const rows = returned<unknown>(
      await m.query(
        `INSERT INTO billing_events (id, type, organization_id, object_id, stripe_created, outcome, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING RETURNING 1`,
        [event.id, event.type, event.organizationId, event.objectId, event.created, event.outcome, event.detail?.slice(0, 500) ?? null],
      ),
    );
    return rows.length > 0;
  }

  /** Settles the outcome (and the org, once known) of an event recorded in this transaction. */
  async settleEvent(m: EntityManager, id: string, organizationId: string | null, outcome: BillingEventRecord['outcome'], detail?: string): Promise<void> {
    await m.query(`UPDATE billing_events SET organization_id = $2, outcome = $3, detail = $4 WHERE id = $1`, [id, organizationId, outcome, detail?.slice(0, 500) ?? null]);
  }

  async linkCheckout(m: EntityManager, orgId: string, customerId: string | null, subscriptionId: string | null): Promise<void> {
    await m.query(
      `UPDATE organization_billing SET customer_id = coalesce(customer_id, $2), subscription_id = coalesce($3, subscription_id), updated_at = now()
        WHERE organization_id = $1`,
      [orgId, customerId, subscriptionId],
    );
  }

  async saveSubscription(m: EntityManager, orgId: string, s: SubscriptionState): Promise<void> {
    await m.query(
      `UPDATE organization_billing SET customer_id = coalesce(customer_id, $2), subscription_id = $3, subscription_status = $4,
              price_lookup_key = $5, currency = $6, unit_amount = $7, billing_interval = $8, quantity = $9,
              current_period_end = $10, cancel_at_period_end = $11, subscription_version = $12, updated_at = now()
        WHERE organization_id = $1`,
      [orgId, s.customerId, s.subscriptionId, s.status, s.priceLookupKey, s.currency, s.unitAmount, s.interval, s.quantity, s.currentPeriodEnd, s.cancelAtPeriodEnd, s.version],
    );
  }

  async savePaymentFailed(m: EntityManager, orgId: string, version: number, failedAt: Date | null, graceEndsAt: Date | null): Promise<void> {
    await m.query(
      `UPDATE organization_billing SET payment_version = $2,
              dunning_status = CASE WHEN dunning_status = 'none' THEN 'past_due' ELSE dunning_status END,
              payment_failed_at = CASE WHEN dunning_status = 'none' THEN $3 ELSE payment_failed_at END,
              grace_ends_at = CASE WHEN dunning_status = 'none' THEN $4 ELSE grace_ends_at END,
              updated_at = now()
        WHERE organization_id = $1`,
      [orgId, version, failedAt, graceEndsAt],
    );
  }

  async savePaid(m: EntityManager, orgId: string, version: number): Promise<void> {
    await m.query(
      `UPDATE organization_billing SET payment_version = $2, dunning_status = 'none', payment_failed_at = NULL, grace_ends_at = NULL, suspended_at = NULL, updated_at = now()
        WHERE organization_id = $1`,
      [orgId, version],
    );
  }

  /** Orgs whose grace period has ended by `now`, moved to `suspended` (locked rows are left for the next sweep). */
  async suspendGraceEnded(m: EntityManager, now: Date): Promise<{ organizationId: string; paymentFailedAt: Date }[]> {
    return returned(
      await m.query(
      `UPDATE organization_billing b SET dunning_status = 'suspended', suspended_at = $1, updated_at = now()
         FROM (SELECT organization_id FROM organization_billing WHERE dunning_status = 'past_due' AND grace_ends_at <= $1 FOR UPDATE SKIP LOCKED) due
        WHERE b.organization_id = due.organization_id
        RETURNING b.organization_id AS "organizationId", b.payment_failed_at AS "paymentFailedAt"`,
        [now],
      ),
    );
  }

  /** The registry's plan (and trial end) for the org, to be pushed to its region. */
  async setPlan(m: EntityManager, orgId: string, plan: string, trialEndsAt: Date | null): Promise<{ from: string } | null> {
    const rows = returned<{ from: string }>(
      await m.query(
        `UPDATE organizations o SET plan = $2, trial_ends_at = $3, region_sync_pending = (o.status <> 'provisioning'), updated_at = now()
           FROM (SELECT plan FROM organizations WHERE id = $1 FOR UPDATE) before
          WHERE o.id = $1 RETURNING before.plan AS "from"`,
        [orgId, plan, trialEndsAt],
      ),
    );
    return rows[0] ?? null;
  }

  /** The payment hold on the registry row (null lifts it), to be pushed to the org's region. */
  async setPaymentOverdue(m: EntityManager, orgId: string, since: Date | null): Promise<void> {
    await m.query(
      `UPDATE organizations SET payment_overdue_since = $2, region_sync_pending = (status <> 'provisioning'), updated_at = now() WHERE id = $1`,
      [orgId, since],
    );
  }

  /** The registry facts billing needs: plan, region, status, signup and trial end. */
  async organization(orgId: string, m: EntityManager = this.dataSource.manager) {
    const rows: { id: string; name: string; slug: string; plan: string; status: string; regionId: string; currency: string; createdAt: Date; trialEndsAt: Date | null; paymentOverdueSince: Date | null }[] =
      await m.query(
        `SELECT o.id, o.name, o.slug, o.plan, o.status, o.region_id AS "regionId", lower(r.currency) AS currency, o.created_at AS "createdAt",
                o.trial_ends_at AS "trialEndsAt", o.payment_overdue_since AS "paymentOverdueSince"
           FROM organizations o JOIN regions r ON r.id = o.region_id WHERE o.id = $1`,
        [orgId],
      );
    return rows[0] ?? null;
  }

  /** An entry in the admin audit trail by Stripe (no user), in the caller's transaction. */
  async audit(m: EntityManager, orgId: string, action: string, details: Record<string, string | number | boolean | null>): Promise<void> {
    await m.query(`INSERT INTO admin_audit_events (actor_user_id, action, target_type, target_id, details) VALUES (NULL, $1, 'organization', $2, $3)`, [
      action,
      orgId,
      JSON.stringify(details),
    ]);
  }

  /** The org's billing transitions from the audit trail, newest first (what its admin sees). */
  history(orgId: string, limit: number): Promise<BillingHistoryEntry[]> {
    return this.dataSource.query(
      `SELECT occurred_at AS "occurredAt", action, details FROM admin_audit_events
        WHERE target_type = 'organization' AND target_id = $1 AND (action LIKE 'billing.%' OR action = 'organization.plan.change')
        ORDER BY occurred_at DESC LIMIT $2`,
      [orgId, limit],
    );
  }

  /** Monthly recurring revenue of live subscriptions per region or per plan, per currency. */
  revenue(by: 'region' | 'plan'): Promise<RevenueRow[]> {
    return this.dataSource.query(REVENUE[by]);
  }
}
