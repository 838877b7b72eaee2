import { Injectable } from '@nestjs/common';
import { prepared, TransactionHost } from '@medgenie/database';
import { rowById, runById } from '../common/by-id.repository';
import { PatchColumns, preparedFor, rowUpdate } from '../common/sql-patch';
import { Page } from '../common/page';
import { pagePatientRecords, PatientRecordsQuery, PatientRecordsTable } from '../common/patient-records.repository';
import type { ProcedureStatus, Surface } from './dental.constants';

export interface ProcedureRow {
  id: string;
  clinicId: string;
  patientId: string;
  doctorId: string | null;
  observationId: string | null;
  code: string;
  description: string;
  tooth: number | null;
  surface: Surface | null;
  status: ProcedureStatus;
  /** numeric(12,2), read as a number: the API speaks numbers. */
  cost: number;
  currency: string;
  performedAt: Date | null;
  notes: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type NewProcedure = Omit<ProcedureRow, 'createdAt' | 'updatedAt'>;
export type ProcedurePatch = Partial<
  Pick<ProcedureRow, 'doctorId' | 'observationId' | 'code' | 'description' | 'tooth' | 'surface' | 'status' | 'cost' | 'performedAt' | 'notes'>
>;

export interface ProceduresOfPatientQuery extends PatientRecordsQuery {
  status?: ProcedureStatus;
}

const COLUMNS = `id, clinic_id as "clinicId", patient_id as "patientId", doctor_id as "doctorId", observation_id as "observationId", code,
  description, tooth, surface, status, cost::float8 as cost, currency, performed_at as "performedAt", notes, created_by as "createdBy",
  created_at as "createdAt", updated_at as "updatedAt"`;

const RECORDS: PatientRecordsTable = { table: 'dental_procedures', columns: COLUMNS, newestBy: 'created_at' };

/** The columns a patch may set, by the row's names. */
const PATCHABLE: PatchColumns<ProcedurePatch> = {
  doctorId: 'doctor_id',
  observationId: 'observation_id',
  code: 'code',
  description: 'description',
  tooth: 'tooth',
  surface: 'surface',
  cost: 'cost',
  performedAt: 'performed_at',
  notes: 'notes',
  status: 'status',
};

const INSERT = prepared(`insert into dental_procedures
  (organization_id, id, clinic_id, patient_id, doctor_id, observation_id, code, description, tooth, surface, status, cost, currency,
   performed_at, notes, created_by)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) returning ${COLUMNS}`);
const FIND = prepared(`select ${COLUMNS} from dental_procedures where organization_id = $1 and id = $2`);
const FIND_MANY = prepared(`select ${COLUMNS} from dental_procedures where organization_id = $1 and id = any($2::uuid[])`);
const DELETE = prepared(`delete from dental_procedures where organization_id = $1 and id = $2`);

/** Dental procedures (dental_procedures); RLS hides rows in clinics the caller may not access. */
@Injectable()
export class ProceduresRepository {
  constructor(private readonly tx: TransactionHost) {}

  async insert(p: NewProcedure): Promise<ProcedureRow> {
    const sql = this.tx.sql;
    const [row] = await sql.run<ProcedureRow>(INSERT, [
      sql.orgId,
      p.id,
      p.clinicId,
      p.patientId,
      p.doctorId,
      p.observationId,
      p.code,
      p.description,
      p.tooth,
      p.surface,
      p.status,
      p.cost,
      p.currency,
      p.performedAt,
      p.notes,
      p.createdBy,
    ]);
    return row;
  }

  findById(id: string): Promise<ProcedureRow | null> {
    return rowById<ProcedureRow>(this.tx.sql, FIND, id);
  }

  /** Those of `ids` the caller can see, in no particular order. */
  async findByIds(ids: readonly string[]): Promise<ProcedureRow[]> {
    if (!ids.length) return [];
    const sql = this.tx.sql;
    return sql.run<ProcedureRow>(FIND_MANY, [sql.orgId, ids]);
  }

  /** A page of a patient's procedures, newest first; in one status when `status` is given. */
  async listForPatient(query: ProceduresOfPatientQuery): Promise<Page<ProcedureRow>> {
    return pagePatientRecords<ProcedureRow>(this.tx.sql, RECORDS, query, { status: query.status || undefined });
  }

  /** Sets the patch's fields; the row as it is after, or null when there is none. */
  async update(id: string, patch: ProcedurePatch): Promise<ProcedureRow | null> {
    const sql = this.tx.sql;
    const update = rowUpdate('dental_procedures', PATCHABLE, sql.orgId, id, patch, { returning: COLUMNS });
    if (!update) return this.findById(id);
    const [row] = await sql.run<ProcedureRow>(preparedFor(update.text), update.values);
    return row ?? null;
  }

  deleteById(id: string): Promise<void> {
    return runById(this.tx.sql, DELETE, id);
  }
}
