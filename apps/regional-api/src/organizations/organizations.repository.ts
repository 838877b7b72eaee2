import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@medgenie/database';
import { Branding } from './organizations.types';

/** The region's mirror of an organization. No patient data; the registry is the control plane's. */
export interface OrganizationRow {
  id: string;
  slug: string;
  name: string;
  plan: string;
  status: string;
  limits: Record<string, number | null>;
  /** When the trial ends (null: not on a trial). */
  trialEndsAt: Date | null;
  /** Since when the subscription is unpaid (dunning; null: nothing overdue). Writes are refused while set. */
  paymentOverdueSince: Date | null;
  branding: Branding;
  language: string;
  timezone: string;
  createdAt: Date;
  updatedAt: Date;
}

/** What the organization holds now, by what its plan limits count (and its staff). */
export interface OrganizationUsage {
  doctors: number;
  patients: number;
  clinics: number;
  staff: number;
}

/** What an org admin may change of their organization. */
export interface OrganizationSettingsPatch {
  branding?: Branding;
  language?: string;
  timezone?: string;
}

const COLUMNS = `id, slug, name, plan, status, limits, trial_ends_at as "trialEndsAt",
  payment_overdue_since as "paymentOverdueSince", branding, language, timezone,
  created_at as "createdAt", updated_at as "updatedAt"`;

const FIND_CURRENT = `select ${COLUMNS} from organizations where id = $1`;

/**
 * The row and its usage in one statement: each count walks the (organization_id, …) index of its
 * table (the same counts assertWithinLimit applies: a doctor is a doctor profile).
 */
const FIND_CURRENT_WITH_USAGE = `select ${COLUMNS}, json_build_object(
    'doctors', (select count(*)::int from doctors where organization_id = $1),
    'patients', (select count(*)::int from patients where organization_id = $1),
    'clinics', (select count(*)::int from clinics where organization_id = $1),
    'staff', (select count(*)::int from memberships where organization_id = $1 and role = 'staff')
  ) as usage
  from organizations where id = $1`;

const SET_TRIAL_ENDS_AT = `update organizations set trial_ends_at = $2 where id = $1`;
const SET_PAYMENT_OVERDUE_SINCE = `update organizations set payment_overdue_since = $2 where id = $1`;

/** The settings columns, and how each value is bound. */
const SETTINGS: Record<keyof OrganizationSettingsPatch, (param: string) => string> = {
  // Merged in the statement (two admins changing different fields at once both keep theirs); a
  // field given as null is removed.
  branding: (param) => `branding = jsonb_strip_nulls(coalesce(branding, '{}'::jsonb) || ${param}::jsonb)`,
  language: (param) => `language = ${param}`,
  timezone: (param) => `timezone = ${param}`,
};

/** The transaction's own organization row (`organizations.id` is the org id). */
@Injectable()
export class OrganizationsRepository {
  constructor(private readonly tx: TransactionHost) {}

  async findCurrent(): Promise<OrganizationRow | null> {
    const sql = this.tx.sql;
    const [row] = await sql.query<OrganizationRow>(FIND_CURRENT, [sql.orgId]);
    return row ?? null;
  }

  async findCurrentWithUsage(): Promise<(OrganizationRow & { usage: OrganizationUsage }) | null> {
    const sql = this.tx.sql;
    const [row] = await sql.query<OrganizationRow & { usage: OrganizationUsage }>(FIND_CURRENT_WITH_USAGE, [sql.orgId]);
    return row ?? null;
  }


  async setTrialEndsAt(endsAt: Date | null): Promise<void> {
    const sql = this.tx.sql;
    await sql.query(SET_TRIAL_ENDS_AT, [sql.orgId, endsAt]);
  }

  /** Holds the organization read-only for an unpaid subscription since `since`, or lifts the hold (null). */
  async setPaymentOverdueSince(since: Date | null): Promise<void> {
    const sql = this.tx.sql;
    await sql.query(SET_PAYMENT_OVERDUE_SINCE, [sql.orgId, since]);
  }

  /** Writes the settings given (those undefined are left as they are; branding merges into what is there; none given: no statement). */
  async updateSettings(patch: OrganizationSettingsPatch): Promise<void> {
    const sql = this.tx.sql;
    const values: unknown[] = [sql.orgId];
    const sets: string[] = [];
    for (const key of Object.keys(SETTINGS) as (keyof OrganizationSettingsPatch)[]) {
      const value = patch[key];
      if (value === undefined) continue;
      values.push(key === 'branding' ? JSON.stringify(value) : value);
      sets.push(SETTINGS[key](`$${values.length}`));
    }
    if (sets.length === 0) return;
    const text = `update organizations set ${sets.join(', ')} where id = $1`;
    await sql.query(text, values);
  }
}
