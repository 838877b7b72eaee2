import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { TransactionHost } from '@medgenie/database';
import { RequestContext } from '@medgenie/tenancy';
import { AuditService } from '../audit/audit.service';
import { ErrorCode, fail } from '../common/errors';
import { DentalAttachment } from '../dental/attachment.entity';
import { attachmentView, AttachmentsService, AttachmentView } from '../dental/attachments.service';
import { ClinicalReferences } from '../dental/clinical-references';
import { Page } from '../common/page';
import { DentalObservation } from '../dental/observation.entity';
import { observationView, ObservationsService, ObservationView } from '../dental/observations.service';
import { DentalProcedure } from '../dental/procedure.entity';
import { procedureView, ProceduresService, ProcedureView } from '../dental/procedures.service';
import { listPatientRecords } from '../common/patient-records';
import { CaseStudy } from './case-study.entity';
import { CreateCaseStudyDto, ListCaseStudiesQuery, UpdateCaseStudyDto } from './dto/case-study.dto';

export type CaseStudySummary = Omit<CaseStudy, 'organizationId' | 'createdBy'>;

export interface CaseStudyView extends CaseStudySummary {
  observations: ObservationView[];
  procedures: ProcedureView[];
  attachments: AttachmentView[];
}

type LinkKind = 'observations' | 'procedures' | 'attachments';
type Links = Record<LinkKind, string[]>;

/** The link tables, each with its statements (constant SQL, bound parameters). */
const LINKS: Record<LinkKind, { replace: string; insert: string; select: string }> = {
  observations: {
    replace: 'delete from case_study_observations where organization_id = $1 and case_study_id = $2',
    insert: `insert into case_study_observations (organization_id, case_study_id, observation_id, clinic_id, patient_id, position)
             select $1, $2, x.id, $4, $5, x.ord - 1 from unnest($3::uuid[]) with ordinality as x(id, ord)`,
    select: 'select observation_id as id from case_study_observations where organization_id = $1 and case_study_id = $2 order by position',
  },
  procedures: {
    replace: 'delete from case_study_procedures where organization_id = $1 and case_study_id = $2',
    insert: `insert into case_study_procedures (organization_id, case_study_id, procedure_id, clinic_id, patient_id, position)
             select $1, $2, x.id, $4, $5, x.ord - 1 from unnest($3::uuid[]) with ordinality as x(id, ord)`,
    select: 'select procedure_id as id from case_study_procedures where organization_id = $1 and case_study_id = $2 order by position',
  },
  attachments: {
    replace: 'delete from case_study_attachments where organization_id = $1 and case_study_id = $2',
    insert: `insert into case_study_attachments (organization_id, case_study_id, attachment_id, clinic_id, patient_id, position)
             select $1, $2, x.id, $4, $5, x.ord - 1 from unnest($3::uuid[]) with ordinality as x(id, ord)`,
    select: 'select attachment_id as id from case_study_attachments where organization_id = $1 and case_study_id = $2 order by position',
  },
};

function summaryView(c: CaseStudy): CaseStudySummary {
  const { organizationId: _org, createdBy: _by, ...rest } = c;
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
 * another org's, one in a clinic the caller cannot see) is not found; the database refuses a
 * cross-patient link too (foreign keys on (org, patient, id)).
 */
@Injectable()
export class CaseStudiesService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    private readonly refs: ClinicalReferences,
    private readonly observations: ObservationsService,
    private readonly procedures: ProceduresService,
    private readonly attachments: AttachmentsService,
  ) {}

  private get repo() {
    return this.tx.manager.getRepository(CaseStudy);
  }

  async create(dto: CreateCaseStudyDto): Promise<CaseStudyView> {
    await this.refs.patient(dto.patientId);
    await this.refs.clinic(dto.clinicId);
    const links = { observations: dto.observationIds ?? [], procedures: dto.procedureIds ?? [], attachments: dto.attachmentIds ?? [] };
    await this.checkLinks(dto.patientId, links);
    const study = this.repo.create({
      organizationId: this.context.orgId,
      id: randomUUID(),
      clinicId: dto.clinicId,
      patientId: dto.patientId,
      title: dto.title,
      summary: dto.summary ?? null,
      createdBy: this.context.userId,
    });
    await this.repo.insert(study);
    for (const kind of Object.keys(LINKS) as LinkKind[]) await this.writeLinks(study, kind, links[kind]);
    await this.audit.record({
      action: 'case_study.create',
      resourceType: 'case_study',
      resourceId: study.id,
      clinicId: study.clinicId,
      details: { patientId: study.patientId, ...this.counts(links) },
    });
    return this.view(await this.find(study.id));
  }

  async list(query: ListCaseStudiesQuery): Promise<Page<CaseStudySummary>> {
    await this.refs.patient(query.patientId);
    return listPatientRecords(this.repo, this.audit, this.context.orgId, query, {
      newestBy: 'createdAt',
      action: 'case_study.list',
      resourceType: 'case_study',
      view: summaryView,
    });
  }

  async get(id: string): Promise<CaseStudyView> {
    const view = await this.view(await this.find(id));
    await this.audit.record({
      action: 'case_study.read',
      resourceType: 'case_study',
      resourceId: id,
      clinicId: view.clinicId,
      details: { observations: view.observations.length, procedures: view.procedures.length, attachments: view.attachments.length },
    });
    return view;
  }

  async update(id: string, dto: UpdateCaseStudyDto): Promise<CaseStudyView> {
    const study = await this.find(id);
    const links: Partial<Links> = {};
    if (dto.observationIds !== undefined) links.observations = dto.observationIds ?? [];
    if (dto.procedureIds !== undefined) links.procedures = dto.procedureIds ?? [];
    if (dto.attachmentIds !== undefined) links.attachments = dto.attachmentIds ?? [];
    await this.checkLinks(study.patientId, links);
    const patch: Partial<CaseStudy> = {};
    if (dto.title !== undefined) {
      if (dto.title === null) throw fail(ErrorCode.ValidationFailed, 'title cannot be cleared');
      patch.title = dto.title;
    }
    if (dto.summary !== undefined) patch.summary = dto.summary;
    // Touch updated_at when only the links change: the case study changed.
    if (Object.keys(patch).length || Object.keys(links).length) await this.repo.update({ organizationId: study.organizationId, id }, { ...patch, updatedAt: new Date() });
    for (const kind of Object.keys(links) as LinkKind[]) await this.writeLinks(study, kind, links[kind] ?? []);
    await this.audit.record({
      action: 'case_study.update',
      resourceType: 'case_study',
      resourceId: id,
      clinicId: study.clinicId,
      details: { fields: Object.keys(dto), ...this.counts(links) },
    });
    return this.view(await this.find(id));
  }

  /** The case study and its links; the linked records themselves stay. */
  async remove(id: string): Promise<void> {
    const study = await this.find(id);
    await this.repo.delete({ organizationId: study.organizationId, id });
    await this.audit.record({ action: 'case_study.delete', resourceType: 'case_study', resourceId: id, clinicId: study.clinicId });
  }

  private counts(links: Partial<Links>): Record<string, number> {
    return Object.fromEntries(Object.entries(links).map(([kind, ids]) => [kind, ids.length]));
  }

  /** Every linked id must be a record the caller can see, of this patient (404 otherwise). */
  private async checkLinks(patientId: string, links: Partial<Links>): Promise<void> {
    for (const id of links.observations ?? []) await this.observations.findOfPatient(id, patientId);
    for (const id of links.procedures ?? []) await this.procedures.findOfPatient(id, patientId);
    for (const id of links.attachments ?? []) await this.attachments.findOfPatient(id, patientId);
  }

  private async writeLinks(study: CaseStudy, kind: LinkKind, ids: string[]): Promise<void> {
    const m = this.tx.manager;
    await m.query(LINKS[kind].replace, [study.organizationId, study.id]);
    if (ids.length) await m.query(LINKS[kind].insert, [study.organizationId, study.id, ids, study.clinicId, study.patientId]);
  }

  private async linked(study: CaseStudy, kind: LinkKind): Promise<string[]> {
    const rows: { id: string }[] = await this.tx.manager.query(LINKS[kind].select, [study.organizationId, study.id]);
    return rows.map((r) => r.id);
  }

  private async view(study: CaseStudy): Promise<CaseStudyView> {
    const m = this.tx.manager;
    const org = study.organizationId;
    const [observationIds, procedureIds, attachmentIds] = [
      await this.linked(study, 'observations'),
      await this.linked(study, 'procedures'),
      await this.linked(study, 'attachments'),
    ];
    const observations = observationIds.length ? await m.getRepository(DentalObservation).findBy({ organizationId: org, id: In(observationIds) }) : [];
    const procedures = procedureIds.length ? await m.getRepository(DentalProcedure).findBy({ organizationId: org, id: In(procedureIds) }) : [];
    const attachments = attachmentIds.length ? await m.getRepository(DentalAttachment).findBy({ organizationId: org, id: In(attachmentIds) }) : [];
    return {
      ...summaryView(study),
      observations: inOrder(observationIds, observations).map(observationView),
      procedures: inOrder(procedureIds, procedures).map(procedureView),
      attachments: inOrder(attachmentIds, attachments).map(attachmentView),
    };
  }

  private async find(id: string): Promise<CaseStudy> {
    const study = await this.repo.findOneBy({ organizationId: this.context.orgId, id });
    if (!study) throw fail(ErrorCode.CaseStudyNotFound, 'Case study not found');
    return study;
  }
}
