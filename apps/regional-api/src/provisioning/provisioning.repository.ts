import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@medgenie/database';
import type { OrgRole } from '@medgenie/contracts';

/** The organization's mirror as provisioning reads it. */
export interface OrganizationMirror {
  id: string;
  slug: string;
  name: string;
  plan: string;
  status: string;
}

export interface MembershipGrant {
  role: OrgRole;
  displayName: string;
  email: string | null;
  isActive: boolean;
}

export const ORGANIZATION_SLUG_KEY = 'organizations_slug_key';

const INSERT_ORG = `insert into organizations (id, slug, name, plan, status, limits, language, timezone)
  values ($1, $2, $3, $4, 'active', $5, $6, $7)
  on conflict (id) do nothing
  returning id`;
const FIND_ORG = `select id, slug, name, plan, status from organizations where id = $1`;
const UPDATE_ORG = `update organizations set name = coalesce($2, name), status = coalesce($3, status),
  plan = coalesce($4, plan), limits = coalesce($5, limits) where id = $1`;
const PRIMARY_CLINIC = `select id from clinics where organization_id = $1 and is_primary limit 1`;
const KNOWN_CLINICS = `select count(*)::int as count from clinics where organization_id = $1 and id = any($2::uuid[])`;
const FIND_MEMBER = `select id, role from memberships where organization_id = $1 and user_id = $2`;
const ROLE_OF = `select role from memberships where organization_id = $1 and id = $2`;
const INSERT_MEMBER = `insert into memberships (organization_id, id, user_id, role, display_name, email, is_active)
  values ($1, $2, $3, $4, $5, $6, $7)`;
const UPDATE_MEMBER = `update memberships set role = $3, display_name = $4, email = $5, is_active = $6
  where organization_id = $1 and id = $2`;
const CLEAR_GRANTS = `delete from membership_clinics where organization_id = $1 and membership_id = $2`;
const GRANT = `insert into membership_clinics (organization_id, membership_id, clinic_id) select $1, $2, unnest($3::uuid[])`;

/** What the control plane's calls write in a region: the org's mirror and its members. */
@Injectable()
export class ProvisioningRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Inserts the org's mirror; false when an org with this id is already there. */
  async insertOrganization(org: { slug: string; name: string; plan: string; limits: object; language: string; timezone: string }): Promise<boolean> {
    const sql = this.tx.sql;
    const rows = await sql.query(INSERT_ORG, [sql.orgId, org.slug, org.name, org.plan, org.limits, org.language, org.timezone]);
    return rows.length > 0;
  }

  async findOrganization(): Promise<OrganizationMirror | null> {
    const sql = this.tx.sql;
    const [row] = await sql.query<OrganizationMirror>(FIND_ORG, [sql.orgId]);
    return row ?? null;
  }

  /** Changes what is given (null: unchanged). */
  async updateOrganization(patch: { name: string | null; status: string | null; plan: string | null; limits: object | null }): Promise<void> {
    const sql = this.tx.sql;
    await sql.query(UPDATE_ORG, [sql.orgId, patch.name, patch.status, patch.plan, patch.limits]);
  }

  async primaryClinicId(): Promise<string | null> {
    const sql = this.tx.sql;
    const [row] = await sql.query<{ id: string }>(PRIMARY_CLINIC, [sql.orgId]);
    return row?.id ?? null;
  }

  /** How many of `clinicIds` (distinct) are the org's. */
  async countClinics(clinicIds: string[]): Promise<number> {
    const sql = this.tx.sql;
    const [row] = await sql.query<{ count: number }>(KNOWN_CLINICS, [sql.orgId, clinicIds]);
    return row.count;
  }

  async findMembership(userId: string): Promise<{ id: string; role: OrgRole } | null> {
    const sql = this.tx.sql;
    const [row] = await sql.query<{ id: string; role: OrgRole }>(FIND_MEMBER, [sql.orgId, userId]);
    return row ?? null;
  }

  async roleOf(membershipId: string): Promise<OrgRole | null> {
    const sql = this.tx.sql;
    const [row] = await sql.query<{ role: OrgRole }>(ROLE_OF, [sql.orgId, membershipId]);
    return row?.role ?? null;
  }

  async insertMembership(id: string, userId: string, grant: MembershipGrant): Promise<void> {
    const sql = this.tx.sql;
    await sql.query(INSERT_MEMBER, [sql.orgId, id, userId, grant.role, grant.displayName, grant.email, grant.isActive]);
  }

  async updateMembership(id: string, grant: MembershipGrant): Promise<void> {
    const sql = this.tx.sql;
    await sql.query(UPDATE_MEMBER, [sql.orgId, id, grant.role, grant.displayName, grant.email, grant.isActive]);
  }

  /** The membership's clinics become exactly `clinicIds`. */
  async replaceClinicGrants(membershipId: string, clinicIds: string[], hadGrants: boolean): Promise<void> {
    const sql = this.tx.sql;
    if (hadGrants) await sql.query(CLEAR_GRANTS, [sql.orgId, membershipId]);
    if (clinicIds.length > 0) await sql.query(GRANT, [sql.orgId, membershipId, clinicIds]);
  }
}
