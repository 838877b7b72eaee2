import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import {
  PLAN_LIMITS,
  Plan,
  ProvisionMembershipDto,
  ProvisionMembershipResult,
  ProvisionOrganizationDto,
  ProvisionOrganizationResult,
} from '@medgenie/contracts';
import { isUniqueViolation, managerSql, SET_TENANT_SQL, TransactionHost } from '@medgenie/database';
import { AuditService } from '../audit/audit.service';
import { ClinicsService } from '../clinics/clinics.service';
import { Clinic } from '../clinics/clinic.entity';
import { ErrorCode, fail } from '../common/errors';
import { DoctorsService } from '../doctors/doctors.service';
import { REGIONAL_CONFIG, RegionalConfig } from '../config/regional.config';
import { Membership, MembershipClinic } from '../memberships/membership.entity';
import { Organization } from '../organizations/organization.entity';
import { UpdateOrganizationMirrorDto } from './provisioning.dto';

const INSERT_ORG_SQL = `insert into organizations (id, slug, name, plan, status, limits, language, timezone)
  values ($1, $2, $3, $4, 'active', $5, $6, $7)
  on conflict (id) do nothing
  returning id`;

/**
 * What the control plane asks of a region: hold an organization (idempotent on its id), add or
 * change a member, follow plan and status changes. Each call is one transaction pinned to the
 * organization, so RLS applies here as everywhere else.
 */
@Injectable()
export class ProvisioningService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionHost,
    private readonly audit: AuditService,
    @Inject(REGIONAL_CONFIG) private readonly config: RegionalConfig,
  ) {}

  private inOrg<T>(orgId: string, work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (m) => {
      await m.query(SET_TENANT_SQL, [orgId, '', '*']);
      return this.tx.bind(managerSql(m, orgId), () => work(m), m);
    });
  }

  async provisionOrganization(dto: ProvisionOrganizationDto): Promise<ProvisionOrganizationResult> {
    try {
      return await this.inOrg(dto.organizationId, async (m) => {
        const timezone = dto.clinic.timezone ?? this.config.timezone;
        const inserted: unknown[] = await m.query(INSERT_ORG_SQL, [
          dto.organizationId,
          dto.slug,
          dto.name,
          dto.plan,
          PLAN_LIMITS[dto.plan],
          this.config.languages[0],
          timezone,
        ]);
        if (inserted.length === 0) return this.existing(m, dto);

        const clinic = await ClinicsService.insert(m, dto.organizationId, {
          id: dto.clinic.id,
          name: dto.clinic.name,
          timezone,
          isPrimary: true,
        });
        const membershipId = await this.upsertMember(m, dto.organizationId, dto.admin.userId, {
          role: 'org_admin',
          displayName: dto.admin.displayName,
          email: dto.admin.email,
          clinicIds: [clinic.id],
        });
        // Self-registration (seed 002): the first admin is also the org's first doctor, at its first clinic.
        await this.ensureDoctor(m, dto.organizationId, membershipId, [clinic.id]);
        await this.audit.recordService(dto.organizationId, {
          action: 'organization.provision',
          resourceType: 'organization',
          resourceId: dto.organizationId,
          clinicId: clinic.id,
        });
        return { organizationId: dto.organizationId, clinicId: clinic.id, membershipId, created: true };
      });
    } catch (err) {
      if (isUniqueViolation(err, 'organizations_slug_key')) throw fail(ErrorCode.ProvisioningConflict, `Slug ${dto.slug} belongs to another organization`);
      throw err;
    }
  }

  /** A repeated call: answer with what the first one made, provided it asked for the same org. */
  private async existing(m: EntityManager, dto: ProvisionOrganizationDto): Promise<ProvisionOrganizationResult> {
    const org = await m.getRepository(Organization).findOneByOrFail({ id: dto.organizationId });
    if (org.slug !== dto.slug) {
      throw fail(ErrorCode.ProvisioningConflict, 'This organization id is already provisioned with another slug');
    }
    const clinic = await m.getRepository(Clinic).findOneBy({ organizationId: org.id, isPrimary: true });
    const membershipId = await this.upsertMember(m, org.id, dto.admin.userId, {
      role: 'org_admin',
      displayName: dto.admin.displayName,
      email: dto.admin.email,
      clinicIds: clinic ? [clinic.id] : [],
    }, { keepExisting: true });
    // A retry completes what an earlier call may not have made (or what came before doctor profiles existed),
    // unless the admin has since been made staff.
    const admin = await m.getRepository(Membership).findOneByOrFail({ organizationId: org.id, id: membershipId });
    if (admin.role !== 'staff') await this.ensureDoctor(m, org.id, membershipId, clinic ? [clinic.id] : []);
    return { organizationId: org.id, clinicId: clinic?.id ?? dto.clinic.id, membershipId, created: false };
  }

  async upsertMembership(orgId: string, userId: string, dto: ProvisionMembershipDto): Promise<ProvisionMembershipResult> {
    return this.inOrg(orgId, async (m) => {
      const org = await m.getRepository(Organization).findOneBy({ id: orgId });
      if (!org) throw fail(ErrorCode.OrganizationNotFound, 'Organization not found in this region');
      const before = await m.getRepository(Membership).findOneBy({ organizationId: orgId, userId });
      const membershipId = await this.upsertMember(m, orgId, userId, dto);
      await this.audit.recordService(orgId, {
        action: before ? 'membership.update' : 'membership.create',
        resourceType: 'membership',
        resourceId: membershipId,
        details: { role: dto.role, clinicCount: dto.clinicIds.length },
      });
      // A doctor gets an empty profile at the clinics granted; the org admin fills in the details later.
      // The plan's doctor limit was checked by the control plane before it called.
      if (dto.role === 'doctor') await this.ensureDoctor(m, orgId, membershipId, dto.clinicIds);
      return { membershipId, created: !before };
    });
  }

  private async upsertMember(
    m: EntityManager,
    orgId: string,
    userId: string,
    dto: ProvisionMembershipDto,
    options: { keepExisting?: boolean } = {},
  ): Promise<string> {
    const repo = m.getRepository(Membership);
    const existing = await repo.findOneBy({ organizationId: orgId, userId });
    if (existing && options.keepExisting) return existing.id;
    const clinicIds = [...new Set(dto.clinicIds)];
    if (clinicIds.length > 0) {
      const known = await m.getRepository(Clinic).countBy(clinicIds.map((id) => ({ organizationId: orgId, id })));
      if (known !== clinicIds.length) throw fail(ErrorCode.UnknownClinic, 'clinicIds names a clinic this organization does not have');
    }
    const id = existing?.id ?? randomUUID();
    if (existing) {
      await repo.update({ organizationId: orgId, id }, { role: dto.role, displayName: dto.displayName, email: dto.email ?? null, isActive: true });
      await m.getRepository(MembershipClinic).delete({ organizationId: orgId, membershipId: id });
    } else {
      await repo.insert({ organizationId: orgId, id, userId, role: dto.role, displayName: dto.displayName, email: dto.email ?? null, isActive: true });
    }
    if (clinicIds.length > 0) {
      await m.getRepository(MembershipClinic).insert(clinicIds.map((clinicId) => ({ organizationId: orgId, membershipId: id, clinicId })));
    }
    return id;
  }

  private async ensureDoctor(m: EntityManager, orgId: string, membershipId: string, clinicIds: string[]): Promise<void> {
    const { doctorId, created } = await DoctorsService.ensureProfile(m, orgId, membershipId, clinicIds);
    if (created) {
      await this.audit.recordService(orgId, { action: 'doctor.create', resourceType: 'doctor', resourceId: doctorId, details: { membershipId } });
    }
  }

  async updateOrganization(orgId: string, dto: UpdateOrganizationMirrorDto): Promise<{ organizationId: string }> {
    return this.inOrg(orgId, async (m) => {
      const repo = m.getRepository(Organization);
      const org = await repo.findOneBy({ id: orgId });
      if (!org) throw fail(ErrorCode.OrganizationNotFound, 'Organization not found in this region');
      const patch: Partial<Organization> = {};
      if (dto.name) patch.name = dto.name;
      if (dto.status) patch.status = dto.status;
      if (dto.plan) {
        patch.plan = dto.plan;
        patch.limits = { ...PLAN_LIMITS[dto.plan as Plan] };
      }
      if (Object.keys(patch).length > 0) {
        await repo.update({ id: orgId }, patch);
        await this.audit.recordService(orgId, {
          action: 'organization.update',
          resourceType: 'organization',
          resourceId: orgId,
          details: { ...(dto.status ? { status: dto.status } : {}), ...(dto.plan ? { plan: dto.plan } : {}) },
        });
      }
      return { organizationId: orgId };
    });
  }
}
