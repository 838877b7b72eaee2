import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { RequestContext } from '@medgenie/tenancy';
import { AuditService } from '../audit/audit.service';
import { ErrorCode, fail } from '../common/errors';
import { Page } from '../common/page';
import { AttachmentsRepository } from '../dental/attachments.repository';
import { attachmentView, AttachmentsService, AttachmentView } from '../dental/attachments.service';
import { ClinicalReferences } from '../dental/clinical-references';
import { PATIENT_RECORD_KINDS, PatientRecords } from '../dental/patient-records';
import { ObservationsRepository } from '../dental/observations.repository';
import { observationView, ObservationsService, ObservationView } from '../dental/observations.service';
import { ProceduresRepository } from '../dental/procedures.repository';
import { procedureView, ProceduresService, ProcedureView } from '../dental/procedures.service';
import { CaseStudiesRepository, CaseStudyPatch, CaseStudyRow, LINK_KINDS, LinkKind } from './case-studies.repository';
import { CreateCaseStudyDto, ListCaseStudiesQuery, UpdateCaseStudyDto } from './dto/case-study.dto';

export type CaseStudySummary = Omit<CaseStudyRow, 'createdBy'>;

export interface CaseStudyView extends CaseStudySummary {
  observations: ObservationView[];
  procedures: ProcedureView[];
  attachments: AttachmentView[];
}

type Links = Record<LinkKind, string[]>;

function summaryView(c: CaseStudyRow): CaseStudySummary {
  const { createdBy: _by, ...rest } = c;
  return rest;
}

/** Orders rows as their ids were linked; a row the caller may not see (another clinic) is left out. */
function inOrder<T extends { id: string }>(ids: string[], rows: T[]): T[] {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/**
 * A patient's case study (clinic-scoped): a title, a summary, and links to that same patient's
 * observations, procedures and attachments. A link to anything else (another patient's record,
 * another org's, one in a clinic the caller cannot see, one at another clinic than the case study's)
 * is not found; the database refuses a
 * cross-patient link too (foreign keys on (org, patient, id)).
 */
@Injectable()
export class CaseStudiesService {
  private readonly records: PatientRecords<CaseStudyRow, ListCaseStudiesQuery>;

  constructor(
    private readonly studies: CaseStudiesRepository,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    private readonly refs: ClinicalReferences,
    private readonly observations: ObservationsService,
    private readonly procedures: ProceduresService,
    private readonly attachments: AttachmentsService,
    private readonly observationRows: ObservationsRepository,
    private readonly procedureRows: ProceduresRepository,
    private readonly attachmentRows: AttachmentsRepository,
  ) {
    this.records = new PatientRecords(PATIENT_RECORD_KINDS.caseStudy, studies, refs, audit);
  }

  async create(dto: CreateCaseStudyDto): Promise<CaseStudyView> {
    await this.refs.patient(dto.patientId);
    await this.refs.clinic(dto.clinicId);
    const links = { observations: dto.observationIds ?? [], procedures: dto.procedureIds ?? [], attachments: dto.attachmentIds ?? [] };
    await this.checkLinks(dto.patientId, dto.clinicId, links);
    const study = await this.studies.insert({
      id: randomUUID(),
      clinicId: dto.clinicId,
      patientId: dto.patientId,
      title: dto.title,
      summary: dto.summary ?? null,
      createdBy: this.context.userId,
    });
    for (const kind of LINK_KINDS) await this.studies.replaceLinks(study, kind, links[kind]);
    this.audit.record({
      action: 'case_study.create',
      resourceType: 'case_study',
      resourceId: study.id,
      clinicId: study.clinicId,
      details: { patientId: study.patientId, ...this.counts(links) },
    });
    return this.view(study);
  }

  /** A page of the patient's case studies, audited as one list event with the ids it returned. */
  list(query: ListCaseStudiesQuery): Promise<Page<CaseStudySummary>> {
    return this.records.list(query, summaryView);
  }

  async get(id: string): Promise<CaseStudyView> {
    const view = await this.view(await this.find(id));
    this.audit.record({
      action: 'case_study.read',
      resourceType: 'case_study',
      resourceId: id,
      clinicId: view.clinicId,
      details: { observations: view.observations.length, procedures: view.procedures.length, attachments: view.attachments.length },
    });
    return view;
  }

  async update(id: string, dto: UpdateCaseStudyDto): Promise<CaseStudyView> {
    let study = await this.find(id);
    const links: Partial<Links> = {};
    if (dto.observationIds !== undefined) links.observations = dto.observationIds ?? [];
    if (dto.procedureIds !== undefined) links.procedures = dto.procedureIds ?? [];
    if (dto.attachmentIds !== undefined) links.attachments = dto.attachmentIds ?? [];
    await this.checkLinks(study.patientId, study.clinicId, links);
    const patch: CaseStudyPatch = {};
    if (dto.title !== undefined) {
      if (dto.title === null) throw fail(ErrorCode.ValidationFailed, 'title cannot be cleared');
      patch.title = dto.title;
    }
    if (dto.summary !== undefined) patch.summary = dto.summary;
    // Touch updated_at when only the links change: the case study changed.
    if (Object.keys(patch).length || Object.keys(links).length) {
      const updated = await this.studies.update(id, patch);
      if (!updated) throw this.records.notFound();
      study = updated;
    }
    for (const kind of Object.keys(links) as LinkKind[]) await this.studies.replaceLinks(study, kind, links[kind] ?? []);
    this.audit.record({
      action: 'case_study.update',
      resourceType: 'case_study',
      resourceId: id,
      clinicId: study.clinicId,
      details: { fields: Object.keys(dto), ...this.counts(links) },
    });
    return this.view(study);
  }

  /** The case study and its links; the linked records themselves stay. */
  async remove(id: string): Promise<void> {
    const study = await this.find(id);
    await this.studies.deleteById(id);
    this.audit.record({ action: 'case_study.delete', resourceType: 'case_study', resourceId: id, clinicId: study.clinicId });
  }

  private counts(links: Partial<Links>): Record<string, number> {
    return Object.fromEntries(Object.entries(links).map(([kind, ids]) => [kind, ids.length]));
  }

  /** Every linked id must be a record the caller can see, of this patient (404 otherwise). */
  /** A case study links its own patient's records at its own clinic only. */
  private async checkLinks(patientId: string, clinicId: string, links: Partial<Links>): Promise<void> {
    for (const id of links.observations ?? []) await this.observations.findOfPatient(id, patientId, clinicId);
    for (const id of links.procedures ?? []) await this.procedures.findOfPatient(id, patientId, clinicId);
    for (const id of links.attachments ?? []) await this.attachments.findOfPatient(id, patientId, clinicId);
  }

  private async view(study: CaseStudyRow): Promise<CaseStudyView> {
    const [observationIds, procedureIds, attachmentIds] = [
      await this.studies.linkedIds(study.id, 'observations'),
      await this.studies.linkedIds(study.id, 'procedures'),
      await this.studies.linkedIds(study.id, 'attachments'),
    ];
    const observations = await this.observationRows.findByIds(observationIds);
    const procedures = await this.procedureRows.findByIds(procedureIds);
    const attachments = await this.attachmentRows.findByIds(attachmentIds);
    return {
      ...summaryView(study),
      observations: inOrder(observationIds, observations).map(observationView),
      procedures: inOrder(procedureIds, procedures).map(procedureView),
      attachments: inOrder(attachmentIds, attachments).map(attachmentView),
    };
  }

  private find(id: string): Promise<CaseStudyRow> {
    return this.records.find(id);
  }
}
