import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@medgenie/database';

/** A row of `memberships`: who may act in the organization, with which role. */
export interface MembershipRow {
  id: string;
  userId: string;
  role: string;
  displayName: string;
  email: string | null;
  isActive: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** A clinic granted to a membership (`membership_clinics`). */
export interface ClinicGrantRow {
  membershipId: string;
  clinicId: string;
}

const COLUMNS = `id, user_id as "userId", role, display_name as "displayName", email, is_active as "isActive",
  created_at as "createdAt", updated_at as "updatedAt"`;

const LIST = `select ${COLUMNS} from memberships where organization_id = $1 order by display_name asc, id asc`;
const FIND = `select ${COLUMNS} from memberships where organization_id = $1 and id = $2`;
/** The clinics the caller may access: row-level security narrows the rows to the membership's clinics. */
const MY_CLINICS = `select id, name, code, is_primary as "isPrimary" from clinics where organization_id = $1 and is_active order by is_primary desc, name, id`;
const MY_DOCTOR = `select id, specialization, license_number as "licenseNumber", is_active as "isActive" from doctors where organization_id = $1 and membership_id = $2`;
const GRANTS = `select membership_id as "membershipId", clinic_id as "clinicId" from membership_clinics
  where organization_id = $1 and membership_id = any($2::uuid[])`;

export interface MyClinicRow {
  id: string;
  name: string;
  code: string;
  isPrimary: boolean;
}

export interface MyDoctorRow {
  id: string;
  specialization: string | null;
  licenseNumber: string | null;
  isActive: boolean;
}

/** The memberships of the transaction's organization and the clinics they are granted. */
@Injectable()
export class MembershipsRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** By display name, then id. */
  async list(): Promise<MembershipRow[]> {
    const sql = this.tx.sql;
    return sql.query<MembershipRow>(LIST, [sql.orgId]);
  }

  async findById(id: string): Promise<MembershipRow | null> {
    const sql = this.tx.sql;
    const [row] = await sql.query<MembershipRow>(FIND, [sql.orgId, id]);
    return row ?? null;
  }

  /** The active clinics the caller may access (all of them for an org admin), primary first. */
  async accessibleClinics(): Promise<MyClinicRow[]> {
    const sql = this.tx.sql;
    return sql.query<MyClinicRow>(MY_CLINICS, [sql.orgId]);
  }

  /** The membership's doctor profile, if it has one. */
  async doctorProfile(membershipId: string): Promise<MyDoctorRow | null> {
    const sql = this.tx.sql;
    const [row] = await sql.query<MyDoctorRow>(MY_DOCTOR, [sql.orgId, membershipId]);
    return row ?? null;
  }

  /** The clinics granted to these memberships, in no particular order. */
  async clinicGrants(membershipIds: string[]): Promise<ClinicGrantRow[]> {
    const sql = this.tx.sql;
    return sql.query<ClinicGrantRow>(GRANTS, [sql.orgId, membershipIds]);
  }
}
