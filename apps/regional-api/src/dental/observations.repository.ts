import { Injectable } from '@nestjs/common';
import { prepared, TransactionHost } from '@medgenie/database';
import { rowById, runById } from '../common/by-id.repository';
import { PatchColumns, preparedFor, rowUpdate } from '../common/sql-patch';
import { Page } from '../common/page';
import { pagePatientRecords, PatientRecordsQuery, PatientRecordsTable } from '../common/patient-records.repository';
import type { Condition, Severity, Surface } from './dental.constants';

export interface ObservationRow {
  id: string;
  clinicId: string;
  patientId: string;
  doctorId: string | null;
  templateId: string | null;
  tooth: number;
  surface: Surface | null;
  condition: Condition;
  severity: Severity | null;
  notes: string | null;
  observedAt: Date;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type NewObservation = Omit<ObservationRow, 'createdAt' | 'updatedAt'>;
export type ObservationPatch = Partial<Pick<ObservationRow, 'doctorId' | 'tooth' | 'surface' | 'condition' | 'severity' | 'notes' | 'observedAt'>>;

export interface ObservationsOfPatientQuery extends PatientRecordsQuery {
  tooth?: number;
}

const COLUMNS = `id, clinic_id as "clinicId", patient_id as "patientId", doctor_id as "doctorId", template_id as "templateId", tooth,
  surface, condition, severity, notes, observed_at as "observedAt", created_by as "createdBy", created_at as "createdAt", updated_at as "updatedAt"`;

const RECORDS: PatientRecordsTable = { table: 'dental_observations', columns: COLUMNS, newestBy: 'observed_at' };

/** The columns a patch may set, by the row's names. */
const PATCHABLE: PatchColumns<ObservationPatch> = {
  doctorId: 'doctor_id',
  tooth: 'tooth',
  surface: 'surface',
  condition: 'condition',
  severity: 'severity',
  notes: 'notes',
  observedAt: 'observed_at',
};

const INSERT = prepared(`insert into dental_observations
  (organization_id, id, clinic_id, patient_id, doctor_id, template_id, tooth, surface, condition, severity, notes, observed_at, created_by)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) returning ${COLUMNS}`);
const FIND = prepared(`select ${COLUMNS} from dental_observations where organization_id = $1 and id = $2`);
const FIND_MANY = prepared(`select ${COLUMNS} from dental_observations where organization_id = $1 and id = any($2::uuid[])`);
const DELETE = prepared(`delete from dental_observations where organization_id = $1 and id = $2`);

/** Per-tooth findings (dental_observations); RLS hides rows in clinics the caller may not access. */
@Injectable()
export class ObservationsRepository {
  constructor(private readonly tx: TransactionHost) {}

  async insert(o: NewObservation): Promise<ObservationRow> {
    const sql = this.tx.sql;
    const [row] = await sql.run<ObservationRow>(INSERT, [
      sql.orgId,
      o.id,
      o.clinicId,
      o.patientId,
      o.doctorId,
      o.templateId,
      o.tooth,
      o.surface,
      o.condition,
      o.severity,
      o.notes,
      o.observedAt,
      o.createdBy,
    ]);
    return row;
  }

  findById(id: string): Promise<ObservationRow | null> {
    return rowById<ObservationRow>(this.tx.sql, FIND, id);
  }

  /** Those of `ids` the caller can see, in no particular order. */
  async findByIds(ids: readonly string[]): Promise<ObservationRow[]> {
    if (!ids.length) return [];
    const sql = this.tx.sql;
    return sql.run<ObservationRow>(FIND_MANY, [sql.orgId, ids]);
  }

  /** A page of a patient's observations, newest observed first; of one tooth when `tooth` is given. */
  async listForPatient(query: ObservationsOfPatientQuery): Promise<Page<ObservationRow>> {
    return pagePatientRecords<ObservationRow>(this.tx.sql, RECORDS, query, { tooth: query.tooth });
  }

  /** Sets the patch's fields; the row as it is after, or null when there is none. */
  async update(id: string, patch: ObservationPatch): Promise<ObservationRow | null> {
    const sql = this.tx.sql;
    const update = rowUpdate('dental_observations', PATCHABLE, sql.orgId, id, patch, { returning: COLUMNS });
    if (!update) return this.findById(id);
    const [row] = await sql.run<ObservationRow>(preparedFor(update.text), update.values);
    return row ?? null;
  }

  /** Procedures that treated it keep their record (their observation link is cleared); case study links go. */
  deleteById(id: string): Promise<void> {
    return runById(this.tx.sql, DELETE, id);
  }
}
