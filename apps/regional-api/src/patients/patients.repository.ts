import { Injectable } from '@nestjs/common';
import { prepared, TransactionHost } from '@medgenie/database';
import { rowById } from '../common/by-id.repository';
import { PatchColumns, rowUpdate } from '../common/sql-patch';
import { EmergencyContact, PostalAddress } from './patients.types';

/** A row of `patients` (the search keys left out). */
export interface PatientRow {
  organizationId: string;
  id: string;
  firstName: string;
  lastName: string;
  mobileNumber: string;
  /** YYYY-MM-DD. */
  dateOfBirth: string | null;
  gender: string | null;
  email: string | null;
  address: PostalAddress | null;
  bloodGroup: string | null;
  allergies: string[];
  emergencyContact: EmergencyContact | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A patient as written (the organization is the transaction's). */
export type NewPatient = Omit<PatientRow, 'organizationId' | 'createdAt' | 'updatedAt'>;

/** What an update may change (undefined: left as it is). */
export type PatientPatch = Partial<Omit<NewPatient, 'id' | 'createdBy'>>;

/** One patient per (mobile number, first name) in an organization. */
export const PATIENT_MOBILE_FIRST_NAME_UNIQUE = 'patients_mobile_first_name_unique';

/**
 * The foreign keys that hold a patient's clinical history (no cascade): a delete they refuse leaves
 * the patient and the history as they were.
 */
export const PATIENT_RECORD_REFERENCES = [
  'appointments_organization_id_patient_id_fkey',
  'prescriptions_organization_id_patient_id_fkey',
  'dental_observations_organization_id_patient_id_fkey',
  'dental_procedures_organization_id_patient_id_fkey',
  'dental_attachments_organization_id_patient_id_fkey',
  'case_studies_organization_id_patient_id_fkey',
] as const;

/** Columns named as the row's properties, for the prepared reads below. */
const COLUMNS = `organization_id as "organizationId", id, first_name as "firstName", last_name as "lastName",
  mobile_number as "mobileNumber", to_char(date_of_birth, 'YYYY-MM-DD') as "dateOfBirth", gender, email, address,
  blood_group as "bloodGroup", allergies, emergency_contact as "emergencyContact", created_by as "createdBy",
  created_at as "createdAt", updated_at as "updatedAt"`;

/**
 * The hot reads, each a prepared statement (planned once per connection, RLS included).
 * $1 org, $2 limit, $3 offset; prefix searches are ranges [$n, $n+1) on the byte-ordered keys.
 */
/** A new patient, answered as it was stored: the same columns every read answers. */
const INSERT_PATIENT = prepared(`insert into patients (organization_id, id, first_name, last_name, mobile_number, date_of_birth,
    gender, email, address, blood_group, allergies, emergency_contact, created_by)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11::text[], $12::jsonb, $13)
  returning ${COLUMNS}`);
const FIND_PATIENT = prepared(`select ${COLUMNS} from patients where organization_id = $1 and id = $2`);
const LIST_RECENT = prepared(`select ${COLUMNS} from patients where organization_id = $1
  order by created_at desc, id desc limit $2 offset $3`);
/** Up to three spellings of a number ($4..$9: three prefix ranges), each a range on the mobile index (a BitmapOr). */
const SEARCH_MOBILE = prepared(`select ${COLUMNS} from patients where organization_id = $1
  and ((mobile_number >= $4 and mobile_number < $5) or (mobile_number >= $6 and mobile_number < $7)
       or (mobile_number >= $8 and mobile_number < $9))
  order by mobile_number, id limit $2 offset $3`);
const SEARCH_ONE_NAME = prepared(`select ${COLUMNS} from patients where organization_id = $1
  and ((first_name_key >= $4 and first_name_key < $5) or (last_name_key >= $4 and last_name_key < $5))
  order by last_name_key, first_name_key, id limit $2 offset $3`);
const SEARCH_TWO_NAMES = prepared(`select ${COLUMNS} from patients where organization_id = $1
  and ((first_name_key >= $4 and first_name_key < $5 and last_name_key >= $6 and last_name_key < $7)
       or (first_name_key >= $8 and first_name_key < $9))
  order by last_name_key, first_name_key, id limit $2 offset $3`);
const COUNT = prepared(`select count(*)::int as count from patients where organization_id = $1`);
/** Answers the rows it removed as a count (a SELECT, so its rows whichever driver runs it). */
const DELETE = `with deleted as (delete from patients where organization_id = $1 and id = $2 returning 1)
  select count(*)::int as count from deleted`;

/** The columns an update may set, and how each value is bound. */
const PATCH_COLUMNS: PatchColumns<PatientPatch> = {
  firstName: 'first_name',
  lastName: 'last_name',
  mobileNumber: 'mobile_number',
  dateOfBirth: 'date_of_birth',
  gender: 'gender',
  email: 'email',
  address: { column: 'address', bind: JSON.stringify },
  bloodGroup: 'blood_group',
  allergies: 'allergies',
  emergencyContact: { column: 'emergency_contact', bind: JSON.stringify },
};

/**
 * Prefix searches are ranges: key >= prefix and key < prefix || U+10FFFF, which in the byte order
 * of COLLATE "C" holds exactly the keys that start with the prefix. Unlike LIKE, these comparisons
 * are LEAKPROOF, so Postgres may use the index under row-level security.
 */
const PREFIX_END = String.fromCodePoint(0x10ffff);

const json = (value: object | null | undefined) => (value === undefined || value === null ? null : JSON.stringify(value));

/** The patients of the transaction's organization. */
@Injectable()
export class PatientsRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Answers the patient as stored. */
  async insert(patient: NewPatient): Promise<PatientRow> {
    const sql = this.tx.sql;
    const [row] = await sql.run<PatientRow>(INSERT_PATIENT, [
      sql.orgId,
      patient.id,
      patient.firstName,
      patient.lastName,
      patient.mobileNumber,
      patient.dateOfBirth,
      patient.gender,
      patient.email,
      json(patient.address),
      patient.bloodGroup,
      patient.allergies,
      json(patient.emergencyContact),
      patient.createdBy,
    ]);
    return row;
  }

  findById(id: string): Promise<PatientRow | null> {
    return rowById<PatientRow>(this.tx.sql, FIND_PATIENT, id);
  }

  async count(): Promise<number> {
    const sql = this.tx.sql;
    const [row] = await sql.run<{ count: number }>(COUNT, [sql.orgId]);
    return row.count;
  }

  /**
   * At most `limit` patients from `offset`, in number order, whose mobile number starts with one of
   * `prefixes` (1 to 3 spellings of one number, see phoneSearchPrefixes).
   */
  searchMobile(prefixes: readonly string[], limit: number, offset: number): Promise<PatientRow[]> {
    const sql = this.tx.sql;
    const three = [0, 1, 2].map((i) => prefixes[Math.min(i, prefixes.length - 1)]);
    return sql.run<PatientRow>(SEARCH_MOBILE, [sql.orgId, limit, offset, ...three.flatMap((p) => [p, p + PREFIX_END])]);
  }

  /**
   * At most `limit` patients from `offset`: the newest first, or those matching `search` (a name:
   * first, last, or "first last") in name order.
   */
  async list(search: string | undefined, limit: number, offset: number): Promise<PatientRow[]> {
    const sql = this.tx.sql;
    const page = [sql.orgId, limit, offset];
    if (search) {
      const words = search.toLowerCase().split(/\s+/);
      if (words.length === 1) return sql.run<PatientRow>(SEARCH_ONE_NAME, [...page, words[0], words[0] + PREFIX_END]);
      const [first, rest, whole] = [words[0], words.slice(1).join(' '), words.join(' ')];
      return sql.run<PatientRow>(SEARCH_TWO_NAMES, [
        ...page,
        first,
        first + PREFIX_END,
        rest,
        rest + PREFIX_END,
        whole,
        whole + PREFIX_END,
      ]);
    }
    return sql.run<PatientRow>(LIST_RECENT, page);
  }

  /** Sets the fields given (updated_at is touched even when none is). */
  async update(id: string, patch: PatientPatch): Promise<void> {
    const sql = this.tx.sql;
    const update = rowUpdate('patients', PATCH_COLUMNS, sql.orgId, id, patch, { touch: 'always' });
    await sql.query(update.text, update.values);
  }

  /** Answers the rows deleted (0: no such patient). */
  async delete(id: string): Promise<number> {
    const sql = this.tx.sql;
    const [row] = await sql.query<{ count: number }>(DELETE, [sql.orgId, id]);
    return row.count;
  }
}
