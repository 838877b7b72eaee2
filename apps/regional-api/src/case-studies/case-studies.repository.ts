import { Injectable } from '@nestjs/common';
import { prepared, PreparedStatement, TransactionHost } from '@medgenie/database';
import { rowById, runById } from '../common/by-id.repository';
import { Page } from '../common/page';
import { pagePatientRecords, PatientRecordsQuery, PatientRecordsTable } from '../common/patient-records.repository';
import { PatchColumns, preparedFor, rowUpdate } from '../common/sql-patch';

export interface CaseStudyRow {
  id: string;
  clinicId: string;
  patientId: string;
  title: string;
  summary: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type NewCaseStudy = Omit<CaseStudyRow, 'createdAt' | 'updatedAt'>;
export type CaseStudyPatch = Partial<Pick<CaseStudyRow, 'title' | 'summary'>>;

/** What a case study links to, each kind in a table of its own, in the order given. */
export type LinkKind = 'observations' | 'procedures' | 'attachments';
export const LINK_KINDS: readonly LinkKind[] = ['observations', 'procedures', 'attachments'];

const COLUMNS = `id, clinic_id as "clinicId", patient_id as "patientId", title, summary, created_by as "createdBy",
  created_at as "createdAt", updated_at as "updatedAt"`;

const RECORDS: PatientRecordsTable = { table: 'case_studies', columns: COLUMNS, newestBy: 'created_at' };

/** The columns a patch may set, by the row's names. */
const PATCHABLE: PatchColumns<CaseStudyPatch> = { title: 'title', summary: 'summary' };

const INSERT = prepared(`insert into case_studies (organization_id, id, clinic_id, patient_id, title, summary, created_by)
  values ($1, $2, $3, $4, $5, $6, $7) returning ${COLUMNS}`);
const FIND = prepared(`select ${COLUMNS} from case_studies where organization_id = $1 and id = $2`);
const DELETE = prepared(`delete from case_studies where organization_id = $1 and id = $2`);

/** The link tables, each with its statements (constant SQL, bound parameters). */
const LINKS: Record<LinkKind, { replace: PreparedStatement; insert: PreparedStatement; select: PreparedStatement }> = {
  observations: {
    replace: prepared('delete from case_study_observations where organization_id = $1 and case_study_id = $2'),
    insert: prepared(`insert into case_study_observations (organization_id, case_study_id, observation_id, clinic_id, patient_id, position)
             select $1, $2, x.id, $4, $5, x.ord - 1 from unnest($3::uuid[]) with ordinality as x(id, ord)`),
    select: prepared('select observation_id as id from case_study_observations where organization_id = $1 and case_study_id = $2 order by position'),
  },
  procedures: {
    replace: prepared('delete from case_study_procedures where organization_id = $1 and case_study_id = $2'),
    insert: prepared(`insert into case_study_procedures (organization_id, case_study_id, procedure_id, clinic_id, patient_id, position)
             select $1, $2, x.id, $4, $5, x.ord - 1 from unnest($3::uuid[]) with ordinality as x(id, ord)`),
    select: prepared('select procedure_id as id from case_study_procedures where organization_id = $1 and case_study_id = $2 order by position'),
  },
  attachments: {
    replace: prepared('delete from case_study_attachments where organization_id = $1 and case_study_id = $2'),
    insert: prepared(`insert into case_study_attachments (organization_id, case_study_id, attachment_id, clinic_id, patient_id, position)
             select $1, $2, x.id, $4, $5, x.ord - 1 from unnest($3::uuid[]) with ordinality as x(id, ord)`),
    select: prepared('select attachment_id as id from case_study_attachments where organization_id = $1 and case_study_id = $2 order by position'),
  },
};

/**
 * Case studies (case_studies) and their links (case_study_observations, _procedures,
 * _attachments). Link rows carry the case study's clinic (RLS) and patient: the database refuses
 * a link to another patient's record (foreign keys on (org, patient, id)).
 */
@Injectable()
export class CaseStudiesRepository {
  constructor(private readonly tx: TransactionHost) {}

  async insert(c: NewCaseStudy): Promise<CaseStudyRow> {
    const sql = this.tx.sql;
    const [row] = await sql.run<CaseStudyRow>(INSERT, [sql.orgId, c.id, c.clinicId, c.patientId, c.title, c.summary, c.createdBy]);
    return row;
  }

  findById(id: string): Promise<CaseStudyRow | null> {
    return rowById<CaseStudyRow>(this.tx.sql, FIND, id);
  }

  /** A page of a patient's case studies, newest first. */
  async listForPatient(query: PatientRecordsQuery): Promise<Page<CaseStudyRow>> {
    return pagePatientRecords<CaseStudyRow>(this.tx.sql, RECORDS, query);
  }

  /** Sets the patch's fields and touches updated_at (also for an empty patch: its links changed); the row as it is after, or null when there is none. */
  async update(id: string, patch: CaseStudyPatch): Promise<CaseStudyRow | null> {
    const sql = this.tx.sql;
    const update = rowUpdate('case_studies', PATCHABLE, sql.orgId, id, patch, { touch: 'always', returning: COLUMNS });
    const [row] = await sql.run<CaseStudyRow>(preparedFor(update.text), update.values);
    return row ?? null;
  }

  /** The case study and its links (on delete cascade); the linked records themselves stay. */
  deleteById(id: string): Promise<void> {
    return runById(this.tx.sql, DELETE, id);
  }

  /** Replaces the case study's links of one kind with `ids`, in that order. */
  async replaceLinks(study: Pick<CaseStudyRow, 'id' | 'clinicId' | 'patientId'>, kind: LinkKind, ids: readonly string[]): Promise<void> {
    const sql = this.tx.sql;
    await sql.run(LINKS[kind].replace, [sql.orgId, study.id]);
    if (ids.length) await sql.run(LINKS[kind].insert, [sql.orgId, study.id, ids, study.clinicId, study.patientId]);
  }

  /** The ids the case study links to, of one kind, in their order. */
  async linkedIds(studyId: string, kind: LinkKind): Promise<string[]> {
    const sql = this.tx.sql;
    const rows = await sql.run<{ id: string }>(LINKS[kind].select, [sql.orgId, studyId]);
    return rows.map((r) => r.id);
  }
}
