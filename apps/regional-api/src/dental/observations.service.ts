import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { RequestContext } from '@medgenie/tenancy';
import { AuditService } from '../audit/audit.service';
import { ErrorCode, fail } from '../common/errors';
import { Page } from '../common/page';
import { ClinicalReferences } from './clinical-references';
import { PATIENT_RECORD_KINDS, PatientRecords } from './patient-records';
import { CreateObservationDto, ListObservationsQuery, UpdateObservationDto } from './dto/observation.dto';
import { ObservationPatch, ObservationRow, ObservationsRepository } from './observations.repository';
import { ObservationTemplatesService } from './observation-templates.service';

export type ObservationView = Omit<ObservationRow, 'createdBy'>;

export function observationView(o: ObservationRow): ObservationView {
  const { createdBy: _by, ...rest } = o;
  return rest;
}

/** Per-tooth findings (clinic-scoped): a row in a clinic the caller may not access is not found. */
@Injectable()
export class ObservationsService {
  private readonly records: PatientRecords<ObservationRow, ListObservationsQuery>;

  constructor(
    private readonly observations: ObservationsRepository,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    private readonly refs: ClinicalReferences,
    private readonly templates: ObservationTemplatesService,
  ) {
    this.records = new PatientRecords(PATIENT_RECORD_KINDS.observation, observations, refs, audit);
  }

  async create(dto: CreateObservationDto): Promise<ObservationView> {
    await this.refs.patient(dto.patientId);
    await this.refs.clinic(dto.clinicId);
    const doctorId = await this.refs.doctorOrSelf(dto.doctorId);
    const template = dto.templateId ? await this.templates.defaults(dto.templateId) : null;
    const condition = dto.condition ?? template?.condition;
    if (!condition) throw fail(ErrorCode.ValidationFailed, 'condition is required (or a template that gives one)');
    const observation = await this.observations.insert({
      id: randomUUID(),
      clinicId: dto.clinicId,
      patientId: dto.patientId,
      doctorId,
      templateId: template?.id ?? null,
      tooth: dto.tooth,
      surface: dto.surface !== undefined ? dto.surface : (template?.surface ?? null),
      condition,
      severity: dto.severity !== undefined ? dto.severity : (template?.severity ?? null),
      notes: dto.notes !== undefined ? dto.notes : (template?.notesTemplate ?? null),
      observedAt: dto.observedAt ? new Date(dto.observedAt) : new Date(),
      createdBy: this.context.userId,
    });
    this.audit.record({
      action: 'dental_observation.create',
      resourceType: 'dental_observation',
      resourceId: observation.id,
      clinicId: observation.clinicId,
      details: { patientId: observation.patientId },
    });
    return observationView(observation);
  }

  /** A page of the patient's observations, audited as one list event with the ids it returned. */
  list(query: ListObservationsQuery): Promise<Page<ObservationView>> {
    return this.records.list(query, observationView);
  }

  async get(id: string): Promise<ObservationView> {
    return observationView(await this.records.read(id));
  }

  async update(id: string, dto: UpdateObservationDto): Promise<ObservationView> {
    const observation = await this.find(id);
    const patch: ObservationPatch = {};
    if (dto.doctorId !== undefined) patch.doctorId = dto.doctorId === null ? null : (await this.refs.doctor(dto.doctorId), dto.doctorId);
    if (dto.tooth !== undefined) patch.tooth = dto.tooth;
    if (dto.surface !== undefined) patch.surface = dto.surface;
    if (dto.condition !== undefined) {
      if (dto.condition === null) throw fail(ErrorCode.ValidationFailed, 'condition cannot be cleared');
      patch.condition = dto.condition;
    }
    if (dto.severity !== undefined) patch.severity = dto.severity;
    if (dto.notes !== undefined) patch.notes = dto.notes;
    if (dto.observedAt !== undefined) {
      if (dto.observedAt === null) throw fail(ErrorCode.ValidationFailed, 'observedAt cannot be cleared');
      patch.observedAt = new Date(dto.observedAt);
    }
    const updated = await this.observations.update(id, patch);
    if (!updated) throw this.records.notFound();
    this.audit.record({
      action: 'dental_observation.update',
      resourceType: 'dental_observation',
      resourceId: id,
      clinicId: observation.clinicId,
      details: { fields: Object.keys(patch) },
    });
    return observationView(updated);
  }

  /** Procedures that treated it keep their record (their observation link is cleared); case studies drop the link. */
  async remove(id: string): Promise<void> {
    const observation = await this.find(id);
    await this.observations.deleteById(id);
    this.audit.record({ action: 'dental_observation.delete', resourceType: 'dental_observation', resourceId: id, clinicId: observation.clinicId });
  }

  /** For procedures and case studies: an observation the caller can see, of this patient. */
  findOfPatient(id: string, patientId: string, clinicId: string): Promise<ObservationRow> {
    return this.records.findOfPatient(id, patientId, clinicId);
  }

  private find(id: string): Promise<ObservationRow> {
    return this.records.find(id);
  }
}
