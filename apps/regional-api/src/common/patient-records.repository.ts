import type { Sql } from '@medgenie/database';
import { preparedFor } from './sql-patch';
import { Page, pageOf, pageWindow } from './page';

export interface PatientRecordsQuery {
  patientId: string;
  clinicId?: string;
  limit?: number;
  offset?: number;
}

/** Where one kind of a patient's clinical records lives (constants of its repository, never caller input). */
export interface PatientRecordsTable {
  table: string;
  /** The select list, with the row type's names (`clinic_id as "clinicId"`, ...). */
  columns: string;
  /** Newest first by this column, then by id. */
  newestBy: string;
}

/**
 * One page of a patient's clinical records of one kind (observations, procedures, attachments,
 * case studies), newest first, in the transaction's org. `filters` are further equalities by
 * column (tooth, status, kind); an undefined value is no filter. RLS hides rows in clinics the
 * caller may not access. One prepared statement per combination of filters.
 */
export async function pagePatientRecords<R>(
  sql: Sql,
  records: PatientRecordsTable,
  query: PatientRecordsQuery,
  filters: Readonly<Record<string, unknown>> = {},
): Promise<Page<R>> {
  const { limit, offset } = pageWindow(query);
  const values: unknown[] = [sql.orgId, query.patientId];
  const param = (value: unknown) => `$${values.push(value)}`;
  const where = ['organization_id = $1', 'patient_id = $2'];
  for (const [column, value] of Object.entries(filters)) if (value !== undefined) where.push(`${column} = ${param(value)}`);
  if (query.clinicId) where.push(`clinic_id = ${param(query.clinicId)}`);
  const text =
    `select ${records.columns} from ${records.table} where ${where.join(' and ')}` +
    ` order by ${records.newestBy} desc, id desc limit ${param(limit + 1)} offset ${param(offset)}`;
  return pageOf(await sql.run<R>(preparedFor(text), values), { limit, offset });
}
