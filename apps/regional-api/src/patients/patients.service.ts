import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { onViolation } from '@medgenie/database';
import { RequestContext } from '@medgenie/tenancy';
import { AuditService } from '../audit/audit.service';
import { ErrorCode, fail } from '../common/errors';
import { Page, pageOf, pageWindow } from '../common/page';
import { assertWithinLimit } from '../organizations/plan-limits';
import { PlanLimitsRepository } from '../organizations/plan-limits.repository';
import { CreatePatientDto, ListPatientsQuery, UpdatePatientDto } from './dto/patient.dto';
import { PATIENT_MOBILE_FIRST_NAME_UNIQUE, PATIENT_RECORD_REFERENCES, PatientRow, PatientsRepository } from './patients.repository';

export type PatientView = Omit<PatientRow, 'organizationId' | 'createdBy'>;

/** The row without the organization and its author: the same fields in the same order. */
function view(p: PatientRow): PatientView {
  const { organizationId: _org, createdBy: _by, ...rest } = p;
  return rest;
}

const patientExists = () => fail(ErrorCode.PatientExists, 'A patient with this mobile number and first name already exists');

/**
 * Appointments, prescriptions and dental records keep their patient (no cascade): a clinical
 * history is never deleted as a side effect.
 */
const hasRecords = () => fail(ErrorCode.PatientHasRecords, 'This patient has appointments, prescriptions or dental records and cannot be deleted');

@Injectable()
export class PatientsService {
  constructor(
    private readonly patients: PatientsRepository,
    private readonly limits: PlanLimitsRepository,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
  ) {}

  async create(dto: CreatePatientDto): Promise<PatientView> {
    await assertWithinLimit(this.limits, 'maxPatients', () => this.patients.count());
    let patient: PatientRow;
    try {
      patient = await this.patients.insert({
        id: randomUUID(),
        firstName: dto.firstName,
        lastName: dto.lastName,
        mobileNumber: dto.mobileNumber,
        dateOfBirth: dto.dateOfBirth ?? null,
        gender: dto.gender ?? null,
        email: dto.email ?? null,
        address: dto.address ?? null,
        bloodGroup: dto.bloodGroup ?? null,
        allergies: dto.allergies ?? [],
        emergencyContact: dto.emergencyContact ?? null,
        createdBy: this.context.userId,
      });
    } catch (err) {
      throw onViolation(err, { [PATIENT_MOBILE_FIRST_NAME_UNIQUE]: patientExists });
    }
    await this.audit.record({ action: 'patient.create', resourceType: 'patient', resourceId: patient.id });
    return view(patient);
  }

  async get(id: string): Promise<PatientView> {
    const patient = await this.find(id);
    await this.audit.record({ action: 'patient.read', resourceType: 'patient', resourceId: id });
    return view(patient);
  }

  async list(query: ListPatientsQuery): Promise<Page<PatientView>> {
    const window = pageWindow(query);
    const search = query.search;
    const page = pageOf(await this.patients.list(search, window.limit + 1, window.offset), window);
    await this.audit.recordList({ action: search ? 'patient.search' : 'patient.list', resourceType: 'patient' }, page.items);
    return { ...page, items: page.items.map(view) };
  }

  async update(id: string, dto: UpdatePatientDto): Promise<PatientView> {
    await this.find(id);
    try {
      await this.patients.update(id, { ...dto });
    } catch (err) {
      throw onViolation(err, { [PATIENT_MOBILE_FIRST_NAME_UNIQUE]: patientExists });
    }
    await this.audit.record({
      action: 'patient.update',
      resourceType: 'patient',
      resourceId: id,
      details: { fields: Object.keys(dto) },
    });
    return view(await this.find(id));
  }

  async remove(id: string): Promise<void> {
    let deleted: number;
    try {
      deleted = await this.patients.delete(id);
    } catch (err) {
      throw onViolation(err, Object.fromEntries(PATIENT_RECORD_REFERENCES.map((constraint) => [constraint, hasRecords])));
    }
    if (!deleted) throw fail(ErrorCode.PatientNotFound, 'Patient not found');
    await this.audit.record({ action: 'patient.delete', resourceType: 'patient', resourceId: id });
  }

  private async find(id: string): Promise<PatientRow> {
    const patient = await this.patients.findById(id);
    if (!patient) throw fail(ErrorCode.PatientNotFound, 'Patient not found');
    return patient;
  }
}
