import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { CountryCode } from 'libphonenumber-js/max';
import { onViolation } from '@medgenie/database';
import { RequestContext } from '@medgenie/tenancy';
import { AuditService } from '../audit/audit.service';
import { ErrorCode, fail } from '../common/errors';
import { Page, pageOf, pageWindow } from '../common/page';
import { normalizePhone, phoneSearchPrefixes, regionCountry } from '../common/phone';
import { REGIONAL_CONFIG, RegionalConfig } from '../config/regional.config';
import { assertWithinLimit } from '../organizations/plan-limits';
import { PlanLimitsRepository } from '../organizations/plan-limits.repository';
import { CreatePatientDto, EmergencyContactDto, ListPatientsQuery, UpdatePatientDto } from './dto/patient.dto';
import { PATIENT_MOBILE_FIRST_NAME_UNIQUE, PATIENT_RECORD_REFERENCES, PatientRow, PatientsRepository } from './patients.repository';

export type PatientView = Omit<PatientRow, 'organizationId' | 'createdBy'>;

/** The row without the organization and its author: the same fields in the same order. */
function view(p: PatientRow): PatientView {
  const { organizationId: _org, createdBy: _by, ...rest } = p;
  return rest;
}

/** A search term written like a phone number (digits, spaces, "+", "(", ")", "-", "."); anything else is a name. */
const PHONE_TERM = /^\+?[\d\s().-]+$/;

const patientExists = () => fail(ErrorCode.PatientExists, 'A patient with this mobile number and first name already exists');

/**
 * Appointments, prescriptions and dental records keep their patient (no cascade): a clinical
 * history is never deleted as a side effect.
 */
const hasRecords = () => fail(ErrorCode.PatientHasRecords, 'This patient has appointments, prescriptions or dental records and cannot be deleted');

/**
 * Phone numbers (the mobile number, the emergency contact's) are stored in E.164, read with the
 * region's country as the default: in region `in`, "09812345678" and "+91 98123 45678" are one
 * number, stored as "+919812345678", so the (mobile number, first name) rule holds across spellings.
 */
@Injectable()
export class PatientsService {
  private readonly country: CountryCode | undefined;

  constructor(
    private readonly patients: PatientsRepository,
    private readonly limits: PlanLimitsRepository,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    @Inject(REGIONAL_CONFIG) config: RegionalConfig,
  ) {
    this.country = regionCountry(config.regionId);
  }

  async create(dto: CreatePatientDto): Promise<PatientView> {
    const mobileNumber = normalizePhone(dto.mobileNumber, 'mobileNumber', this.country);
    const emergencyContact = this.emergencyContact(dto.emergencyContact);
    await assertWithinLimit(this.limits, 'maxPatients', () => this.patients.count());
    let patient: PatientRow;
    try {
      patient = await this.patients.insert({
        id: randomUUID(),
        firstName: dto.firstName,
        lastName: dto.lastName,
        mobileNumber,
        dateOfBirth: dto.dateOfBirth ?? null,
        gender: dto.gender ?? null,
        email: dto.email ?? null,
        address: dto.address ?? null,
        bloodGroup: dto.bloodGroup ?? null,
        allergies: dto.allergies ?? [],
        emergencyContact: emergencyContact ?? null,
        createdBy: this.context.userId,
      });
    } catch (err) {
      throw onViolation(err, { [PATIENT_MOBILE_FIRST_NAME_UNIQUE]: patientExists });
    }
    this.audit.record({ action: 'patient.create', resourceType: 'patient', resourceId: patient.id });
    return view(patient);
  }

  async get(id: string): Promise<PatientView> {
    const patient = await this.find(id);
    this.audit.record({ action: 'patient.read', resourceType: 'patient', resourceId: id });
    return view(patient);
  }

  async list(query: ListPatientsQuery): Promise<Page<PatientView>> {
    const window = pageWindow(query);
    const search = query.search;
    const rows =
      search && PHONE_TERM.test(search)
        ? await this.patients.searchMobile(phoneSearchPrefixes(search, this.country), window.limit + 1, window.offset)
        : await this.patients.list(search, window.limit + 1, window.offset);
    const page = pageOf(rows, window);
    this.audit.recordList({ action: search ? 'patient.search' : 'patient.list', resourceType: 'patient' }, page.items);
    return { ...page, items: page.items.map(view) };
  }

  async update(id: string, dto: UpdatePatientDto): Promise<PatientView> {
    const patch = {
      ...dto,
      ...(dto.mobileNumber !== undefined && { mobileNumber: normalizePhone(dto.mobileNumber, 'mobileNumber', this.country) }),
      ...(dto.emergencyContact !== undefined && { emergencyContact: this.emergencyContact(dto.emergencyContact) }),
    };
    await this.find(id);
    try {
      await this.patients.update(id, patch);
    } catch (err) {
      throw onViolation(err, { [PATIENT_MOBILE_FIRST_NAME_UNIQUE]: patientExists });
    }
    this.audit.record({
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
    this.audit.record({ action: 'patient.delete', resourceType: 'patient', resourceId: id });
  }

  /** The contact with its phone in E.164 (a 400 naming emergencyContact.phone when it is not a valid number). */
  private emergencyContact<T extends EmergencyContactDto | null | undefined>(contact: T): T {
    if (!contact) return contact;
    return { ...contact, phone: normalizePhone(contact.phone, 'emergencyContact.phone', this.country) };
  }

  private async find(id: string): Promise<PatientRow> {
    const patient = await this.patients.findById(id);
    if (!patient) throw fail(ErrorCode.PatientNotFound, 'Patient not found');
    return patient;
  }
}
