import { Injectable } from '@nestjs/common';
import { prepared, TransactionHost } from '@medgenie/database';
import { rowById } from '../common/by-id.repository';
import { PatchColumns, rowUpdate } from '../common/sql-patch';

/** A row of `clinics`. */
export interface ClinicRow {
  organizationId: string;
  id: string;
  name: string;
  code: string;
  address: Record<string, string>;
  timezone: string;
  phone: string | null;
  isPrimary: boolean;
  isActive: boolean;
  settings: { appointmentSlotMinutes?: number };
  createdAt: Date;
  updatedAt: Date;
}

/** A clinic as written (the organization is the transaction's); no time zone: the organization's. */
export type NewClinic = Pick<ClinicRow, 'id' | 'name' | 'code' | 'address' | 'phone' | 'isPrimary' | 'isActive' | 'settings'> & {
  timezone: string | null;
};

/** What an update may change (undefined: left as it is). */
export type ClinicPatch = Partial<Pick<ClinicRow, 'name' | 'code' | 'address' | 'timezone' | 'phone' | 'isPrimary' | 'isActive' | 'settings'>>;

/** One code per clinic in an organization. */
export const CLINIC_CODE_UNIQUE = 'clinics_code_unique';

const COLUMNS = `organization_id as "organizationId", id, name, code, address, timezone, phone, is_primary as "isPrimary",
  is_active as "isActive", settings, created_at as "createdAt", updated_at as "updatedAt"`;

/** A new clinic, answered as stored; without a time zone of its own it takes the organization's. */
const INSERT = `insert into clinics (organization_id, id, name, code, address, timezone, phone, is_primary, is_active, settings)
  values ($1, $2, $3, $4, $5::jsonb, coalesce($6::varchar, (select o.timezone from organizations o where o.id = $1)), $7, $8, $9, $10::jsonb)
  returning ${COLUMNS}`;
const UNMARK_PRIMARY = `update clinics set is_primary = false where organization_id = $1 and is_primary`;
const COUNT = prepared(`select count(*)::int as count from clinics where organization_id = $1`);
const LIST = `select ${COLUMNS} from clinics where organization_id = $1 order by is_primary desc, name asc`;
const FIND = prepared(`select ${COLUMNS} from clinics where organization_id = $1 and id = $2`);
const DELETE = `delete from clinics where organization_id = $1 and id = $2`;

/** The columns an update may set, and how each value is bound. */
const PATCH_COLUMNS: PatchColumns<ClinicPatch> = {
  name: 'name',
  code: 'code',
  address: { column: 'address', bind: JSON.stringify },
  timezone: 'timezone',
  phone: 'phone',
  isPrimary: 'is_primary',
  isActive: 'is_active',
  settings: { column: 'settings', bind: JSON.stringify },
};

/** The clinics of the transaction's organization. Row-level security narrows staff to the clinics they are granted. */
@Injectable()
export class ClinicsRepository {
  constructor(private readonly tx: TransactionHost) {}

  async insert(clinic: NewClinic): Promise<ClinicRow> {
    const sql = this.tx.sql;
    const [row] = await sql.query<ClinicRow>(INSERT, [
      sql.orgId,
      clinic.id,
      clinic.name,
      clinic.code,
      JSON.stringify(clinic.address),
      clinic.timezone,
      clinic.phone,
      clinic.isPrimary,
      clinic.isActive,
      JSON.stringify(clinic.settings),
    ]);
    return row;
  }

  /** Makes no clinic the primary one (before another becomes it: one primary per organization). */
  async unmarkPrimary(): Promise<void> {
    const sql = this.tx.sql;
    await sql.query(UNMARK_PRIMARY, [sql.orgId]);
  }

  async count(): Promise<number> {
    const sql = this.tx.sql;
    const [row] = await sql.run<{ count: number }>(COUNT, [sql.orgId]);
    return row.count;
  }

  /** The primary clinic first, then by name. */
  async list(): Promise<ClinicRow[]> {
    const sql = this.tx.sql;
    return sql.query<ClinicRow>(LIST, [sql.orgId]);
  }

  findById(id: string): Promise<ClinicRow | null> {
    return rowById<ClinicRow>(this.tx.sql, FIND, id);
  }

  /** Sets the fields given (updated_at is touched even when none is). */
  async update(id: string, patch: ClinicPatch): Promise<void> {
    const sql = this.tx.sql;
    const update = rowUpdate('clinics', PATCH_COLUMNS, sql.orgId, id, patch, { touch: 'always' });
    await sql.query(update.text, update.values);
  }

  async delete(id: string): Promise<void> {
    const sql = this.tx.sql;
    await sql.query(DELETE, [sql.orgId, id]);
  }
}
