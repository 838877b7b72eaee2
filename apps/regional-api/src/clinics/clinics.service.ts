import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { isUniqueViolation, TransactionHost } from '@medgenie/database';
import { RequestContext } from '@medgenie/tenancy';
import { AuditService } from '../audit/audit.service';
import { ErrorCode, fail } from '../common/errors';
import { Organization } from '../organizations/organization.entity';
import { assertWithinLimit } from '../organizations/plan-limits';
import { Clinic } from './clinic.entity';
import { CreateClinicDto, UpdateClinicDto } from './dto/clinic.dto';

export type ClinicView = Omit<Clinic, 'organizationId'>;

function view(c: Clinic): ClinicView {
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

@Injectable()
export class ClinicsService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
  ) {}

  private get repo() {
    return this.tx.manager.getRepository(Clinic);
  }

  /** Inserts a clinic in the given transaction; used by the API and by provisioning. */
  static async insert(manager: EntityManager, orgId: string, dto: CreateClinicDto & { id?: string }): Promise<Clinic> {
    const org = await manager.getRepository(Organization).findOneByOrFail({ id: orgId });
    if (dto.isPrimary) await manager.getRepository(Clinic).update({ organizationId: orgId, isPrimary: true }, { isPrimary: false });
    const clinic = manager.getRepository(Clinic).create({
      organizationId: orgId,
      id: dto.id ?? randomUUID(),
      name: dto.name,
      code: dto.code ?? codeFromName(dto.name),
      address: { ...(dto.address ?? {}) },
      timezone: dto.timezone ?? org.timezone,
      phone: dto.phone ?? null,
      isPrimary: dto.isPrimary ?? false,
      isActive: dto.isActive ?? true,
      settings: { ...(dto.settings ?? {}) },
    });
    try {
      await manager.getRepository(Clinic).insert(clinic);
    } catch (err) {
      if (isUniqueViolation(err, 'clinics_code_unique')) throw fail(ErrorCode.ClinicCodeTaken, `Clinic code ${clinic.code} is already in use`);
      throw err;
    }
    return clinic;
  }

  async create(dto: CreateClinicDto): Promise<ClinicView> {
    const orgId = this.context.orgId;
    await assertWithinLimit(this.tx.manager, orgId, 'maxClinics', (m) => m.getRepository(Clinic).countBy({ organizationId: orgId }));
    const clinic = await ClinicsService.insert(this.tx.manager, orgId, dto);
    await this.audit.record({ action: 'clinic.create', resourceType: 'clinic', resourceId: clinic.id, clinicId: clinic.id });
    return view(clinic);
  }

  /** Clinics the caller may access: row-level security narrows staff to their own clinics. */
  async list(): Promise<ClinicView[]> {
    const clinics = await this.repo.find({
      where: { organizationId: this.context.orgId },
      order: { isPrimary: 'DESC', name: 'ASC' },
    });
    return clinics.map(view);
  }

  async get(id: string): Promise<ClinicView> {
    return view(await this.find(id));
  }

  async update(id: string, dto: UpdateClinicDto): Promise<ClinicView> {
    const clinic = await this.find(id);
    if (dto.isPrimary === false && clinic.isPrimary) {
      throw fail(ErrorCode.ClinicIsPrimary, 'Make another clinic primary instead of un-marking this one');
    }
    if (dto.isPrimary && !clinic.isPrimary) {
      await this.repo.update({ organizationId: clinic.organizationId, isPrimary: true }, { isPrimary: false });
    }
    const { address, settings, ...scalars } = dto;
    const patch: Partial<Clinic> = { ...scalars };
    if (address) patch.address = { ...clinic.address, ...address };
    if (settings) patch.settings = { ...clinic.settings, ...settings };
    try {
      await this.repo.update({ organizationId: clinic.organizationId, id }, patch);
    } catch (err) {
      if (isUniqueViolation(err, 'clinics_code_unique')) throw fail(ErrorCode.ClinicCodeTaken, `Clinic code ${dto.code} is already in use`);
      throw err;
    }
    await this.audit.record({ action: 'clinic.update', resourceType: 'clinic', resourceId: id, clinicId: id, details: { fields: Object.keys(dto) } });
    return view(await this.find(id));
  }

  async remove(id: string): Promise<void> {
    const clinic = await this.find(id);
    if (clinic.isPrimary) throw fail(ErrorCode.ClinicIsPrimary, 'The primary clinic cannot be deleted; make another clinic primary first');
    await this.repo.delete({ organizationId: clinic.organizationId, id });
    await this.audit.record({ action: 'clinic.delete', resourceType: 'clinic', resourceId: id, clinicId: id });
  }

  private async find(id: string): Promise<Clinic> {
    const clinic = await this.repo.findOneBy({ organizationId: this.context.orgId, id });
    if (!clinic) throw fail(ErrorCode.ClinicNotFound, 'Clinic not found');
    return clinic;
  }
}
