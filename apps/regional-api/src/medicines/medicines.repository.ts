import { Injectable } from '@nestjs/common';
import { prepared, PreparedStatement, TransactionHost } from '@medgenie/database';
import { rowById, runById, updateById } from '../common/by-id.repository';
import { PatchColumns, preparedFor } from '../common/sql-patch';
import { MedicineForm, MedicineScope } from './medicines.types';

/** A row of `medicines` (the byte-ordered search keys left out). `organizationId` null: the global catalogue. */
export interface MedicineRow {
  organizationId: string | null;
  id: string;
  name: string;
  genericName: string | null;
  form: MedicineForm;
  strength: string | null;
  manufacturer: string | null;
  isActive: boolean;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** An org's own medicine as written (the organization is the transaction's). */
export type NewMedicine = Pick<MedicineRow, 'id' | 'name' | 'genericName' | 'form' | 'strength' | 'manufacturer' | 'isActive' | 'createdBy'>;

/** What an update may change. */
export type MedicinePatch = Partial<Pick<MedicineRow, 'name' | 'genericName' | 'form' | 'strength' | 'manufacturer' | 'isActive'>>;

export interface MedicineListFilter {
  scope: MedicineScope | 'all';
  /** A lower-case prefix of the name or generic name. */
  search?: string;
  form?: MedicineForm;
  active?: boolean;
  limit: number;
  offset: number;
}

/** One medicine per org, name, form and strength (NULLS NOT DISTINCT). */
export const MEDICINE_IDENTITY_UNIQUE = 'medicines_identity_unique';

const COLUMNS = `organization_id as "organizationId", id, name, generic_name as "genericName", form, strength, manufacturer,
  is_active as "isActive", created_by as "createdBy", created_at as "createdAt", updated_at as "updatedAt"`;

/** Global rows and the org's own; row-level security agrees, and hides every other org's. */
const FIND_MEDICINE = prepared(`select ${COLUMNS} from medicines
  where id = $2 and (organization_id is null or organization_id = $1)`);

const SAME_AS_GLOBAL = prepared(`select id from medicines
  where organization_id is null and name_key = lower($1) and form = $2 and strength is not distinct from $3`);

const INSERT = prepared(`insert into medicines (organization_id, id, name, generic_name, form, strength, manufacturer, is_active, created_by)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`);

const DELETE = prepared(`delete from medicines where organization_id = $1 and id = $2`);

/** The columns an update may set, in the order they are set. */
const PATCH_COLUMNS: PatchColumns<MedicinePatch> = {
  name: 'name',
  genericName: 'generic_name',
  form: 'form',
  strength: 'strength',
  manufacturer: 'manufacturer',
  isActive: 'is_active',
};

/**
 * Prefix searches are ranges on the byte-ordered keys (key >= p and key < p || U+10FFFF): unlike
 * LIKE, these comparisons are LEAKPROOF, so Postgres may use the (organization_id, name_key) and
 * (organization_id, generic_name_key) indexes under row-level security. One prepared statement per
 * scope and search shape; form ($6) and active ($7) are NULL when not filtered on.
 */
const PREFIX_END = String.fromCodePoint(0x10ffff);
const SCOPE_SQL: Record<MedicineScope | 'all', string> = {
  all: '(organization_id is null or organization_id = $1)',
  global: 'organization_id is null and $1::uuid is not null',
  organization: 'organization_id = $1',
};
const SEARCH_SQL = `((name_key >= $4 and name_key < $5) or (generic_name_key >= $4 and generic_name_key < $5))`;
const NO_SEARCH_SQL = `($4::text is null and $5::text is null)`;

function listStatement(scope: MedicineScope | 'all', search: boolean): PreparedStatement {
  return preparedFor(`select ${COLUMNS} from medicines
      where ${SCOPE_SQL[scope]} and ${search ? SEARCH_SQL : NO_SEARCH_SQL}
        and ($6::text is null or form = $6::text) and ($7::boolean is null or is_active = $7::boolean)
      order by name_key, form, strength nulls first, id
      limit $2 offset $3`);
}

/** Medicines: the global catalogue (read-only here) and the transaction's organization's own. */
@Injectable()
export class MedicinesRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** A global medicine or one of the org's own. */
  findVisible(id: string): Promise<MedicineRow | null> {
    return rowById<MedicineRow>(this.tx.sql, FIND_MEDICINE, id);
  }

  /** Whether the global catalogue has a medicine with this name (any case), form and strength. */
  async existsInGlobalCatalogue(name: string, form: MedicineForm, strength: string | null): Promise<boolean> {
    const rows = await this.tx.sql.run(SAME_AS_GLOBAL, [name, form, strength]);
    return rows.length > 0;
  }

  /** A page of the filter's medicines, ordered by name, with `limit` rows at most. */
  async list(filter: MedicineListFilter): Promise<MedicineRow[]> {
    const sql = this.tx.sql;
    const search = filter.search;
    return sql.run<MedicineRow>(listStatement(filter.scope, search !== undefined), [
      sql.orgId,
      filter.limit,
      filter.offset,
      search ?? null,
      search === undefined ? null : search + PREFIX_END,
      filter.form ?? null,
      filter.active ?? null,
    ]);
  }

  async insert(medicine: NewMedicine): Promise<void> {
    const sql = this.tx.sql;
    await sql.run(INSERT, [
      sql.orgId,
      medicine.id,
      medicine.name,
      medicine.genericName,
      medicine.form,
      medicine.strength,
      medicine.manufacturer,
      medicine.isActive,
      medicine.createdBy,
    ]);
  }

  /** Sets the patch's fields on one of the org's own medicines (nothing when the patch is empty). */
  update(id: string, patch: MedicinePatch): Promise<void> {
    return updateById(this.tx.sql, 'medicines', PATCH_COLUMNS, id, patch);
  }

  /** Deletes one of the org's own medicines; a short key's or a prescription's line that names it refuses (their medicine foreign keys). */
  delete(id: string): Promise<void> {
    return runById(this.tx.sql, DELETE, id);
  }
}
