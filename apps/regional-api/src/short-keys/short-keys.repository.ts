import { Injectable } from '@nestjs/common';
import { prepared, TransactionHost } from '@medgenie/database';
import { rowById, runById, updateById } from '../common/by-id.repository';
import { PatchColumns } from '../common/sql-patch';
import type { MedicineForm } from '../medicines/medicines.types';
import { MedicineLine, medicineLineArrays } from '../prescriptions/medicine-line';

/** A row of `short_keys` (the generated `code_key` left out). */
export interface ShortKeyRow {
  organizationId: string;
  id: string;
  /** As typed ("Fever"); unique per org case-insensitively (the generated code_key, upper-case). */
  code: string;
  name: string;
  description: string | null;
  isActive: boolean;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A new key as written (the organization is the transaction's). */
export type NewShortKey = Pick<ShortKeyRow, 'id' | 'code' | 'name' | 'description' | 'isActive' | 'createdBy'>;

/** What an update may change. */
export type ShortKeyPatch = Partial<Pick<ShortKeyRow, 'code' | 'name' | 'description' | 'isActive'>>;

/** One line of a key, with its medicine as it reads now. */
export interface ShortKeyItemRow {
  shortKeyId: string;
  position: number;
  medicineId: string;
  /** What a prescription item records as `medicine_name`. */
  medicineName: string;
  genericName: string | null;
  form: MedicineForm;
  strength: string | null;
  /** False once the medicine is deactivated: such lines are left out when the key is applied. */
  medicineActive: boolean;
  dosage: string;
  frequency: string;
  duration: string;
  quantity: number | null;
  instructions: string | null;
}

/** A line as written: its position is its place in the list. */
export type NewShortKeyItem = MedicineLine;

export interface ShortKeyListFilter {
  /** Upper case: a prefix of the code. */
  codePrefix?: string;
  active?: boolean;
  limit: number;
  offset: number;
}

/** Codes are unique per org, ignoring case. */
export const SHORT_KEY_CODE_UNIQUE = 'short_keys_code_unique';
/** A key's line names a medicine that exists ... */
export const SHORT_KEY_ITEMS_MEDICINE_FK = 'short_key_items_medicine_id_fkey';
/** ... and that its organization can see (a trigger: foreign keys ignore row-level security). */
export const SHORT_KEY_ITEMS_MEDICINE_IN_SCOPE = 'short_key_items_medicine_in_scope';
/** A key's lines belong to the key. */
export const SHORT_KEY_ITEMS_KEY_FK = 'short_key_items_organization_id_short_key_id_fkey';

const PREFIX_END = String.fromCodePoint(0x10ffff);

const COLUMNS = `organization_id as "organizationId", id, code, name, description, is_active as "isActive",
  created_by as "createdBy", created_at as "createdAt", updated_at as "updatedAt"`;

const FIND_KEY = prepared(`select ${COLUMNS} from short_keys where organization_id = $1 and id = $2`);

/** Codes are matched on code_key (upper case, byte-ordered): prefixes are ranges, usable by the unique index. */
const LIST_KEYS = prepared(`select ${COLUMNS} from short_keys
  where organization_id = $1 and ($4::boolean is null or is_active = $4::boolean)
  order by code_key, id limit $2 offset $3`);
const LIST_KEYS_BY_CODE = prepared(`select ${COLUMNS} from short_keys
  where organization_id = $1 and ($4::boolean is null or is_active = $4::boolean) and code_key >= $5 and code_key < $6
  order by code_key, id limit $2 offset $3`);

/** An active key by id ($2) or by code ($3, upper case). */
const FIND_ACTIVE_KEY = prepared(`select id, code from short_keys
  where organization_id = $1 and is_active
    and (($2::uuid is not null and id = $2::uuid) or ($3::text is not null and code_key = $3::text))`);

const ITEMS = prepared(`select i.short_key_id as "shortKeyId", i.position, i.medicine_id as "medicineId",
    m.name as "medicineName", m.generic_name as "genericName", m.form, m.strength, m.is_active as "medicineActive",
    i.dosage, i.frequency, i.duration, i.quantity, i.instructions
  from short_key_items i
  join medicines m on m.id = i.medicine_id
  where i.organization_id = $1 and i.short_key_id = any($2::uuid[])
  order by i.short_key_id, i.position`);

/** The medicines the caller's org may name: global ones and its own (RLS agrees). */
const VISIBLE_MEDICINES = prepared(`select id, is_active as "isActive" from medicines
  where id = any($2::uuid[]) and (organization_id is null or organization_id = $1)`);

const INSERT_KEY = prepared(`insert into short_keys (organization_id, id, code, name, description, is_active, created_by)
  values ($1, $2, $3, $4, $5, $6, $7)`);

const DELETE_KEY = prepared(`delete from short_keys where organization_id = $1 and id = $2`);

/** All of a key's lines in one statement, from parallel arrays, positions 0, 1, … in their order. */
const INSERT_ITEMS = prepared(`insert into short_key_items
    (organization_id, short_key_id, position, medicine_id, dosage, frequency, duration, quantity, instructions)
  select $1, $2, u.ord - 1, u.medicine_id, u.dosage, u.frequency, u.duration, u.quantity, u.instructions
    from unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $7::int[], $8::text[])
         with ordinality as u(medicine_id, dosage, frequency, duration, quantity, instructions, ord)`);

const DELETE_ITEMS = prepared(`delete from short_key_items where organization_id = $1 and short_key_id = $2`);

/** The columns an update may set, in the order they are set. */
const PATCH_COLUMNS: PatchColumns<ShortKeyPatch> = {
  code: 'code',
  name: 'name',
  description: 'description',
  isActive: 'is_active',
};

/** The organization's short keys and their lines. */
@Injectable()
export class ShortKeysRepository {
  constructor(private readonly tx: TransactionHost) {}

  findById(id: string): Promise<ShortKeyRow | null> {
    return rowById<ShortKeyRow>(this.tx.sql, FIND_KEY, id);
  }

  /** An active key by its id or by its code (upper case): give one, the other null. */
  async findActive(id: string | null, codeKey: string | null): Promise<{ id: string; code: string } | null> {
    const sql = this.tx.sql;
    const [row] = await sql.run<{ id: string; code: string }>(FIND_ACTIVE_KEY, [sql.orgId, id, codeKey]);
    return row ?? null;
  }

  /** A page of keys in code order, `limit` rows at most. */
  async list(filter: ShortKeyListFilter): Promise<ShortKeyRow[]> {
    const sql = this.tx.sql;
    const page = [sql.orgId, filter.limit, filter.offset, filter.active ?? null];
    const code = filter.codePrefix;
    return code === undefined
      ? sql.run<ShortKeyRow>(LIST_KEYS, page)
      : sql.run<ShortKeyRow>(LIST_KEYS_BY_CODE, [...page, code, code + PREFIX_END]);
  }

  /** The lines of these keys, in key and position order. */
  async itemsOf(keyIds: string[]): Promise<ShortKeyItemRow[]> {
    const sql = this.tx.sql;
    return sql.run<ShortKeyItemRow>(ITEMS, [sql.orgId, keyIds]);
  }

  /** Which of these medicines the org may name (global ones and its own), and whether each is active. */
  async visibleMedicines(ids: string[]): Promise<{ id: string; isActive: boolean }[]> {
    const sql = this.tx.sql;
    return sql.run<{ id: string; isActive: boolean }>(VISIBLE_MEDICINES, [sql.orgId, ids]);
  }

  async insert(key: NewShortKey): Promise<void> {
    const sql = this.tx.sql;
    await sql.run(INSERT_KEY, [sql.orgId, key.id, key.code, key.name, key.description, key.isActive, key.createdBy]);
  }

  /** Sets the patch's fields (nothing when the patch is empty). */
  update(id: string, patch: ShortKeyPatch): Promise<void> {
    return updateById(this.tx.sql, 'short_keys', PATCH_COLUMNS, id, patch);
  }

  /** Deletes a key and its lines; a prescription written with it refuses (its foreign key to the key). */
  delete(id: string): Promise<void> {
    return runById(this.tx.sql, DELETE_KEY, id);
  }

  /** Writes a key's lines, positions from 0 in their order. */
  async insertItems(shortKeyId: string, items: NewShortKeyItem[]): Promise<void> {
    const sql = this.tx.sql;
    await sql.run(INSERT_ITEMS, [sql.orgId, shortKeyId, ...medicineLineArrays(items)]);
  }

  async deleteItems(shortKeyId: string): Promise<void> {
    const sql = this.tx.sql;
    await sql.run(DELETE_ITEMS, [sql.orgId, shortKeyId]);
  }
}
