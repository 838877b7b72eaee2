import type { DomainError } from '@medgenie/http';
import { AuditService } from '../audit/audit.service';
import { ErrorCode, fail } from '../common/errors';
import { Page } from '../common/page';
import type { PatientRecordsQuery } from '../common/patient-records.repository';
import { ClinicalReferences } from './clinical-references';

/** One kind of a patient's clinical records, as its service names and audits it. */
export interface PatientRecordKind {
  /** Its not-found messages ('Dental observation not found', '… for this patient'). */
  name: string;
  notFound: ErrorCode;
  /** Its audit events: `<action>.read`, `<action>.list`, on `resourceType`. */
  action: string;
  resourceType: string;
}

export const PATIENT_RECORD_KINDS = {
  observation: { name: 'Dental observation', notFound: ErrorCode.DentalObservationNotFound, action: 'dental_observation', resourceType: 'dental_observation' },
  procedure: { name: 'Dental procedure', notFound: ErrorCode.DentalProcedureNotFound, action: 'dental_procedure', resourceType: 'dental_procedure' },
  attachment: { name: 'Attachment', notFound: ErrorCode.AttachmentNotFound, action: 'attachment', resourceType: 'dental_attachment' },
  caseStudy: { name: 'Case study', notFound: ErrorCode.CaseStudyNotFound, action: 'case_study', resourceType: 'case_study' },
} as const satisfies Record<string, PatientRecordKind>;

/** Where a kind's rows are read (its repository). */
export interface PatientRecordRows<R, Q extends PatientRecordsQuery> {
  findById(id: string): Promise<R | null>;
  listForPatient(query: Q): Promise<Page<R>>;
}

/**
 * What the services of a patient's clinical records (observations, procedures, attachments, case
 * studies) do alike: a record the caller can see (RLS hides the others: not found), one of a given
 * patient, one read audited, and a patient's page audited as one list event with the ids it returned.
 */
export class PatientRecords<R extends { id: string; clinicId: string; patientId: string }, Q extends PatientRecordsQuery> {
  constructor(
    private readonly kind: PatientRecordKind,
    private readonly rows: PatientRecordRows<R, Q>,
    private readonly refs: ClinicalReferences,
    private readonly audit: AuditService,
  ) {}

  notFound(): DomainError {
    return fail(this.kind.notFound, `${this.kind.name} not found`);
  }

  async find(id: string): Promise<R> {
    const row = await this.rows.findById(id);
    if (!row) throw this.notFound();
    return row;
  }

  /**
   * For procedures and case studies: a record the caller can see, of this patient, at this clinic.
   * A clinic's records link only to records of the same clinic (the database's foreign keys say so
   * too), so that nothing done in one clinic changes another clinic's rows.
   */
  async findOfPatient(id: string, patientId: string, clinicId: string): Promise<R> {
    const row = await this.find(id);
    if (row.patientId !== patientId) throw fail(this.kind.notFound, `${this.kind.name} not found for this patient`);
    if (row.clinicId !== clinicId) throw fail(this.kind.notFound, `${this.kind.name} not found at this clinic`);
    return row;
  }

  /** The record, its reading audited. */
  async read(id: string): Promise<R> {
    const row = await this.find(id);
    this.audit.record({ action: `${this.kind.action}.read`, resourceType: this.kind.resourceType, resourceId: id, clinicId: row.clinicId });
    return row;
  }

  /** A page of the patient's records, audited as one list event with the ids it returned. */
  async list<V>(query: Q, view: (row: R) => V): Promise<Page<V>> {
    await this.refs.patient(query.patientId);
    const page = await this.rows.listForPatient(query);
    this.audit.recordList({ action: `${this.kind.action}.list`, resourceType: this.kind.resourceType, details: { patientId: query.patientId } }, page.items);
    return { ...page, items: page.items.map(view) };
  }
}
