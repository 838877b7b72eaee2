import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { RequestContext } from '@medgenie/tenancy';
import { AuditService } from '../audit/audit.service';
import { ErrorCode, fail } from '../common/errors';
import { REGIONAL_CONFIG, RegionalConfig } from '../config/regional.config';
import { ClinicalReferences } from './clinical-references';
import { PATIENT_RECORD_KINDS, PatientRecords } from './patient-records';
import { PROCEDURE_TRANSITIONS, ProcedureStatus } from './dental.constants';
import { Page } from '../common/page';
import { CreateProcedureDto, ListProceduresQuery, UpdateProcedureDto } from './dto/procedure.dto';
import { ObservationsService } from './observations.service';
import { ProcedurePatch, ProcedureRow, ProceduresRepository } from './procedures.repository';

export type ProcedureView = Omit<ProcedureRow, 'createdBy'>;

export function procedureView(p: ProcedureRow): ProcedureView {
  const { createdBy: _by, ...rest } = p;
  return rest;
}

const CLOSED: readonly ProcedureStatus[] = ['completed', 'cancelled'];

/**
 * Dental procedures (clinic-scoped): planned -> in_progress -> completed, or cancelled before
 * completion. A completed or cancelled procedure is a closed record: only its notes change.
 * Costs are in the region's currency.
 */
@Injectable()
export class ProceduresService {
  private readonly records: PatientRecords<ProcedureRow, ListProceduresQuery>;

  constructor(
    private readonly procedures: ProceduresRepository,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    private readonly refs: ClinicalReferences,
    private readonly observations: ObservationsService,
    @Inject(REGIONAL_CONFIG) private readonly config: RegionalConfig,
  ) {
    this.records = new PatientRecords(PATIENT_RECORD_KINDS.procedure, procedures, refs, audit);
  }

  async create(dto: CreateProcedureDto): Promise<ProcedureView> {
    await this.refs.patient(dto.patientId);
    await this.refs.clinic(dto.clinicId);
    const doctorId = await this.refs.doctorOrSelf(dto.doctorId);
    if (dto.observationId) await this.observations.findOfPatient(dto.observationId, dto.patientId, dto.clinicId);
    const status = dto.status ?? 'planned';
    const performedAt = dto.performedAt ? new Date(dto.performedAt) : status === 'completed' ? new Date() : null;
    const procedure = await this.procedures.insert({
      id: randomUUID(),
      clinicId: dto.clinicId,
      patientId: dto.patientId,
      doctorId,
      observationId: dto.observationId ?? null,
      code: dto.code,
      description: dto.description,
      tooth: dto.tooth ?? null,
      surface: dto.surface ?? null,
      status,
      cost: dto.cost ?? 0,
      currency: this.config.currency,
      performedAt,
      notes: dto.notes ?? null,
      createdBy: this.context.userId,
    });
    this.audit.record({
      action: 'dental_procedure.create',
      resourceType: 'dental_procedure',
      resourceId: procedure.id,
      clinicId: procedure.clinicId,
      details: { patientId: procedure.patientId, status },
    });
    return procedureView(procedure);
  }

  /** A page of the patient's procedures, audited as one list event with the ids it returned. */
  list(query: ListProceduresQuery): Promise<Page<ProcedureView>> {
    return this.records.list(query, procedureView);
  }

  async get(id: string): Promise<ProcedureView> {
    return procedureView(await this.records.read(id));
  }

  async update(id: string, dto: UpdateProcedureDto): Promise<ProcedureView> {
    const procedure = await this.find(id);
    const { notes, status, ...clinical } = dto;
    const fields = Object.keys(dto);
    if (status !== undefined && status !== procedure.status && !PROCEDURE_TRANSITIONS[procedure.status].includes(status)) {
      throw fail(ErrorCode.InvalidStatusTransition, `A ${procedure.status} procedure cannot become ${status}`);
    }
    if (CLOSED.includes(procedure.status) && Object.keys(clinical).length) {
      throw fail(ErrorCode.DentalProcedureClosed, `The procedure is ${procedure.status}: only its notes can change`);
    }
    const patch: ProcedurePatch = {};
    if (clinical.doctorId !== undefined) patch.doctorId = clinical.doctorId === null ? null : (await this.refs.doctor(clinical.doctorId), clinical.doctorId);
    if (clinical.observationId !== undefined) {
      if (clinical.observationId !== null) await this.observations.findOfPatient(clinical.observationId, procedure.patientId, procedure.clinicId);
      patch.observationId = clinical.observationId;
    }
    if (clinical.code !== undefined) patch.code = clinical.code;
    if (clinical.description !== undefined) patch.description = this.required(clinical.description, 'description');
    if (clinical.tooth !== undefined) patch.tooth = clinical.tooth;
    if (clinical.surface !== undefined) patch.surface = clinical.surface;
    if (clinical.cost !== undefined) patch.cost = this.required(clinical.cost, 'cost');
    if (clinical.performedAt !== undefined) patch.performedAt = clinical.performedAt === null ? null : new Date(clinical.performedAt);
    if (notes !== undefined) patch.notes = notes;
    if (status !== undefined) patch.status = status;
    if ((patch.status ?? procedure.status) === 'completed') {
      // Completing without a date means now; clearing the date of a completed procedure is refused.
      if (patch.performedAt === null) throw fail(ErrorCode.ValidationFailed, 'A completed procedure has a performedAt');
      if (patch.performedAt === undefined && !procedure.performedAt) patch.performedAt = new Date();
    }
    const updated = await this.procedures.update(id, patch);
    if (!updated) throw this.records.notFound();
    this.audit.record({
      action: 'dental_procedure.update',
      resourceType: 'dental_procedure',
      resourceId: id,
      clinicId: procedure.clinicId,
      details: { fields, ...(status && status !== procedure.status ? { from: procedure.status, to: status } : {}) },
    });
    return procedureView(updated);
  }

  /** Only a planned or cancelled procedure may be deleted: one that was started or done is a clinical record. */
  async remove(id: string): Promise<void> {
    const procedure = await this.find(id);
    if (procedure.status === 'in_progress' || procedure.status === 'completed') {
      throw fail(ErrorCode.DentalProcedureClosed, `A ${procedure.status} procedure cannot be deleted; cancel it instead`);
    }
    await this.procedures.deleteById(id);
    this.audit.record({ action: 'dental_procedure.delete', resourceType: 'dental_procedure', resourceId: id, clinicId: procedure.clinicId });
  }

  /** For case studies: a procedure the caller can see, of this patient. */
  findOfPatient(id: string, patientId: string, clinicId: string): Promise<ProcedureRow> {
    return this.records.findOfPatient(id, patientId, clinicId);
  }

  private required<T>(value: T | null, field: string): T {
    if (value === null) throw fail(ErrorCode.ValidationFailed, `${field} cannot be cleared`);
    return value;
  }

  private find(id: string): Promise<ProcedureRow> {
    return this.records.find(id);
  }
}
