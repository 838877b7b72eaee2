import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { onViolation } from '@medgenie/database';
import { RequestContext } from '@medgenie/tenancy';
import { AuditService } from '../audit/audit.service';
import { ErrorCode, fail } from '../common/errors';
import { normalizePhone, regionCountry } from '../common/phone';
import { REGIONAL_CONFIG, RegionalConfig } from '../config/regional.config';
import { assertWithinLimit } from '../organizations/plan-limits';
import { PlanLimitsRepository } from '../organizations/plan-limits.repository';
import { CLINIC_CODE_UNIQUE, ClinicPatch, ClinicRow, ClinicsRepository } from './clinics.repository';
import { CreateClinicDto, UpdateClinicDto } from './dto/clinic.dto';

export type ClinicView = Omit<ClinicRow, 'organizationId'>;

function view(c: ClinicRow): ClinicView {
  const { organizationId: _org, ...rest } = c;
  return rest;
}

/** "Mumbai Central Clinic" -> "MUMBAI-CENTRAL-CLINIC". */
export function codeFromName(name: string): string {
  const code = name
    .normalize('NFKD')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return code || 'CLINIC';
}

function codeTaken(code: string | undefined): Error {
  return fail(ErrorCode.ClinicCodeTaken, `Clinic code ${code} is already in use`);
}

/**
 * Adds a clinic to the transaction's organization: its code derived from its name unless given,
 * the organization's time zone unless given; a new primary clinic takes over from the old one.
 */
async function insertClinic(clinics: ClinicsRepository, dto: CreateClinicDto & { id?: string }): Promise<ClinicRow> {
  if (dto.isPrimary) await clinics.unmarkPrimary();
  const code = dto.code ?? codeFromName(dto.name);
  try {
    return await clinics.insert({
      id: dto.id ?? randomUUID(),
      name: dto.name,
      code,
      address: { ...(dto.address ?? {}) },
      timezone: dto.timezone ?? null,
      phone: dto.phone ?? null,
      isPrimary: dto.isPrimary ?? false,
      isActive: dto.isActive ?? true,
      settings: { ...(dto.settings ?? {}) },
    });
  } catch (err) {
    throw onViolation(err, { [CLINIC_CODE_UNIQUE]: () => codeTaken(code) });
  }
}

@Injectable()
export class ClinicsService {
  constructor(
    private readonly clinics: ClinicsRepository,
    private readonly limits: PlanLimitsRepository,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    @Inject(REGIONAL_CONFIG) private readonly config: RegionalConfig,
  ) {}

  /** A clinic's phone as stored: E.164, read in the region's country when written nationally (as patients' numbers). */
  private phone<T extends { phone?: string | null }>(dto: T): T {
    return typeof dto.phone === 'string' ? { ...dto, phone: normalizePhone(dto.phone, 'phone', regionCountry(this.config.regionId)) } : dto;
  }

  /** A clinic of the org in the work's scope, with the rules of `create` but no plan limit or audit: provisioning's first clinic. */
  async add(dto: CreateClinicDto & { id?: string }): Promise<ClinicRow> {
    return insertClinic(this.clinics, dto);
  }

  async create(dto: CreateClinicDto): Promise<ClinicView> {
    await assertWithinLimit(this.limits, 'maxClinics', () => this.clinics.count());
    const clinic = await insertClinic(this.clinics, this.phone(dto));
    this.audit.record({ action: 'clinic.create', resourceType: 'clinic', resourceId: clinic.id, clinicId: clinic.id });
    return view(clinic);
  }

  /** Clinics the caller may access: row-level security narrows staff to their own clinics. */
  async list(): Promise<ClinicView[]> {
    return (await this.clinics.list()).map(view);
  }

  async get(id: string): Promise<ClinicView> {
    return view(await this.find(id));
  }

  async update(id: string, dto: UpdateClinicDto): Promise<ClinicView> {
    const clinic = await this.find(id);
    if (dto.isPrimary === false && clinic.isPrimary) {
      throw fail(ErrorCode.ClinicIsPrimary, 'Make another clinic primary instead of un-marking this one');
    }
    if (dto.isPrimary && !clinic.isPrimary) await this.clinics.unmarkPrimary();
    const { address, settings, ...scalars } = this.phone(dto);
    const patch: ClinicPatch = { ...scalars };
    if (address) patch.address = { ...clinic.address, ...address };
    if (settings) patch.settings = { ...clinic.settings, ...settings };
    try {
      await this.clinics.update(id, patch);
    } catch (err) {
      throw onViolation(err, { [CLINIC_CODE_UNIQUE]: () => codeTaken(dto.code) });
    }
    this.audit.record({ action: 'clinic.update', resourceType: 'clinic', resourceId: id, clinicId: id, details: { fields: Object.keys(dto) } });
    return view(await this.find(id));
  }

  async remove(id: string): Promise<void> {
    const clinic = await this.find(id);
    if (clinic.isPrimary) throw fail(ErrorCode.ClinicIsPrimary, 'The primary clinic cannot be deleted; make another clinic primary first');
    await this.clinics.delete(id);
    this.audit.record({ action: 'clinic.delete', resourceType: 'clinic', resourceId: id, clinicId: id });
  }

  private async find(id: string): Promise<ClinicRow> {
    const clinic = await this.clinics.findById(id);
    if (!clinic) throw fail(ErrorCode.ClinicNotFound, 'Clinic not found');
    return clinic;
  }
}
