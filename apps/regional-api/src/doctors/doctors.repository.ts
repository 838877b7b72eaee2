import { Injectable } from '@nestjs/common';
import { prepared, TransactionHost } from '@medgenie/database';
import { rowById } from '../common/by-id.repository';
import { PatchColumns, rowUpdate } from '../common/sql-patch';
import { ScheduleWindow } from './doctors.types';

/** Where a doctor practises (among the clinics the caller may see), and when. */
export interface DoctorClinicRow {
  clinicId: string;
  clinicName: string;
  schedule: ScheduleWindow[];
}

/** A doctor with their membership's name and role and the clinics they practise at. */
export interface DoctorRow {
  id: string;
  membershipId: string;
  userId: string;
  displayName: string;
  /** The membership's role: a doctor, or an org admin who also practises (self-registration). */
  role: string;
  licenseNumber: string | null;
  specialization: string | null;
  qualifications: string[];
  /** numeric(12, 2): pg answers it as a string, kept exact here. */
  consultationFee: string | null;
  bio: string | null;
  isActive: boolean;
  /** The clinics the doctor practises at, among those the caller may see. */
  clinics: DoctorClinicRow[];
  createdAt: Date;
  updatedAt: Date;
}

/** The profile fields an update may set (undefined: left as it is). */
export type DoctorPatch = Partial<Pick<DoctorRow, 'licenseNumber' | 'specialization' | 'qualifications' | 'consultationFee' | 'bio' | 'isActive'>>;

/** Filters of the list; each undefined when not filtered on. */
export interface DoctorListFilter {
  clinicId?: string;
  /** Exact, case-insensitive. */
  specialization?: string;
  active?: boolean;
}

/** One license number per doctor in an organization. */
export const DOCTOR_LICENSE_UNIQUE = 'doctors_license_unique';
/** One profile per membership. */
export const DOCTOR_MEMBERSHIP_UNIQUE = 'doctors_membership_unique';

/**
 * A doctor with the membership's name and the clinics they practise at. The clinics come through a
 * join on `clinics`, whose row-level security narrows staff to the clinics they are granted.
 */
const SELECT_DOCTORS = `select d.id, d.membership_id as "membershipId", m.user_id as "userId", m.display_name as "displayName",
    m.role, d.license_number as "licenseNumber", d.specialization, d.qualifications, d.consultation_fee as "consultationFee",
    d.bio, d.is_active as "isActive", d.created_at as "createdAt", d.updated_at as "updatedAt",
    coalesce((select jsonb_agg(jsonb_build_object('clinicId', dc.clinic_id, 'clinicName', c.name, 'schedule', dc.schedule)
                               order by c.is_primary desc, c.name, c.id)
                from doctor_clinics dc
                join clinics c on c.organization_id = dc.organization_id and c.id = dc.clinic_id
               where dc.organization_id = d.organization_id and dc.doctor_id = d.id), '[]'::jsonb) as clinics
  from doctors d
  join memberships m on m.organization_id = d.organization_id and m.id = d.membership_id`;

const FIND_DOCTOR = prepared(`${SELECT_DOCTORS} where d.organization_id = $1 and d.id = $2`);

/** $2 clinic, $3 specialization, $4 active: each NULL when not filtered on. */
const LIST_DOCTORS = prepared(`${SELECT_DOCTORS}
  where d.organization_id = $1
    and ($2::uuid is null or exists (
          select 1 from doctor_clinics dc
            join clinics c on c.organization_id = dc.organization_id and c.id = dc.clinic_id
           where dc.organization_id = d.organization_id and dc.doctor_id = d.id and dc.clinic_id = $2::uuid))
    and ($3::text is null or lower(d.specialization) = lower($3::text))
    and ($4::boolean is null or d.is_active = $4::boolean)
  order by m.display_name, d.id`);

const ENSURE_PROFILE = `insert into doctors (organization_id, membership_id) values ($1, $2)
  on conflict on constraint doctors_membership_unique do nothing returning id`;
const FIND_BY_MEMBERSHIP = `select id from doctors where organization_id = $1 and membership_id = $2`;
const LINK_CLINICS = `insert into doctor_clinics (organization_id, doctor_id, clinic_id)
  select $1, $2, unnest($3::uuid[]) on conflict do nothing`;
const UPSERT_CLINIC = `insert into doctor_clinics (organization_id, doctor_id, clinic_id, schedule) values ($1, $2, $3, $4)
  on conflict (organization_id, doctor_id, clinic_id) do update set schedule = excluded.schedule
  returning (xmax = 0) as inserted`;
/** Answers the rows it removed as a count (a SELECT, so its rows whichever driver runs it). */
const REMOVE_CLINIC = `with removed as (delete from doctor_clinics where organization_id = $1 and doctor_id = $2 and clinic_id = $3 returning 1)
  select count(*)::int as count from removed`;
const MEMBERSHIP = `select id, role from memberships where organization_id = $1 and id = $2`;
const HAS_PROFILE = `select exists (select 1 from doctors where organization_id = $1 and membership_id = $2) as "exists"`;
const COUNT = `select count(*)::int as count from doctors where organization_id = $1`;
const CLINIC_EXISTS = `select exists (select 1 from clinics where organization_id = $1 and id = $2) as "exists"`;

/** The columns an update may set. */
const PATCH_COLUMNS: PatchColumns<DoctorPatch> = {
  licenseNumber: 'license_number',
  specialization: 'specialization',
  qualifications: 'qualifications',
  consultationFee: 'consultation_fee',
  bio: 'bio',
  isActive: 'is_active',
};

/** Doctors of the transaction's organization, and where they practise. */
@Injectable()
export class DoctorsRepository {
  constructor(private readonly tx: TransactionHost) {}

  findById(id: string): Promise<DoctorRow | null> {
    return rowById<DoctorRow>(this.tx.sql, FIND_DOCTOR, id);
  }

  /** By name, then id. */
  async list(filter: DoctorListFilter): Promise<DoctorRow[]> {
    const sql = this.tx.sql;
    return sql.run<DoctorRow>(LIST_DOCTORS, [sql.orgId, filter.clinicId ?? null, filter.specialization ?? null, filter.active ?? null]);
  }

  async count(): Promise<number> {
    const sql = this.tx.sql;
    const [row] = await sql.query<{ count: number }>(COUNT, [sql.orgId]);
    return row.count;
  }

  /** The membership a profile would belong to (its role decides whether it may have one). */
  async findMembership(membershipId: string): Promise<{ id: string; role: string } | null> {
    const sql = this.tx.sql;
    const [row] = await sql.query<{ id: string; role: string }>(MEMBERSHIP, [sql.orgId, membershipId]);
    return row ?? null;
  }

  async existsForMembership(membershipId: string): Promise<boolean> {
    const sql = this.tx.sql;
    const [row] = await sql.query<{ exists: boolean }>(HAS_PROFILE, [sql.orgId, membershipId]);
    return row.exists;
  }

  /** Whether the clinic exists among those the caller may see (RLS hides the others). */
  async clinicExists(clinicId: string): Promise<boolean> {
    const sql = this.tx.sql;
    const [row] = await sql.query<{ exists: boolean }>(CLINIC_EXISTS, [sql.orgId, clinicId]);
    return row.exists;
  }

  /**
   * The profile of a membership, made if it has none (idempotent). A new profile practises at the
   * given clinics, hours not set yet; an existing one is left exactly as it is.
   */
  async ensureProfile(membershipId: string, clinicIds: string[]): Promise<{ doctorId: string; created: boolean }> {
    const sql = this.tx.sql;
    const inserted = await sql.query<{ id: string }>(ENSURE_PROFILE, [sql.orgId, membershipId]);
    if (inserted.length === 0) {
      const [existing] = await sql.query<{ id: string }>(FIND_BY_MEMBERSHIP, [sql.orgId, membershipId]);
      return { doctorId: existing.id, created: false };
    }
    const doctorId = inserted[0].id;
    if (clinicIds.length > 0) await sql.query(LINK_CLINICS, [sql.orgId, doctorId, [...new Set(clinicIds)]]);
    return { doctorId, created: true };
  }

  /** Sets the fields given (none given: no statement). */
  async update(id: string, patch: DoctorPatch): Promise<void> {
    const sql = this.tx.sql;
    const update = rowUpdate('doctors', PATCH_COLUMNS, sql.orgId, id, patch, { touch: 'withChanges' });
    if (update) await sql.query(update.text, update.values);
  }

  /** Sets the doctor's weekly hours at the clinic, adding the clinic if new; answers whether it was. */
  async upsertClinic(doctorId: string, clinicId: string, schedule: ScheduleWindow[]): Promise<{ inserted: boolean }> {
    const sql = this.tx.sql;
    const [row] = await sql.query<{ inserted: boolean }>(UPSERT_CLINIC, [sql.orgId, doctorId, clinicId, JSON.stringify(schedule)]);
    return row;
  }

  /** Answers the rows deleted (0: the doctor does not practise there). */
  async removeClinic(doctorId: string, clinicId: string): Promise<number> {
    const sql = this.tx.sql;
    const [row] = await sql.query<{ count: number }>(REMOVE_CLINIC, [sql.orgId, doctorId, clinicId]);
    return row.count;
  }
}
