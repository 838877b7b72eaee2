import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  PLAN_LIMITS,
  Plan,
  ProvisionMembershipDto,
  ProvisionMembershipResult,
  ProvisionOrganizationDto,
  ProvisionOrganizationResult,
} from '@medgenie/contracts';
import { onViolation } from '@medgenie/database';
import { AuditService } from '../audit/audit.service';
import { ClinicsService } from '../clinics/clinics.service';
import { ErrorCode, fail } from '../common/errors';
import { RequestTransactions } from '../database/request-transaction.interceptor';
import { DoctorsService } from '../doctors/doctors.service';
import { REGIONAL_CONFIG, RegionalConfig } from '../config/regional.config';
import { assertPlanFits, Overage } from '../organizations/plan-limits';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import { PlanLimitsRepository } from '../organizations/plan-limits.repository';
import { UpdateOrganizationMirrorDto } from './provisioning.dto';
import { ORGANIZATION_SLUG_KEY, ProvisioningRepository } from './provisioning.repository';

/**
 * What the control plane asks of a region: hold an organization (idempotent on its id), add or
 * change a member, follow plan and status changes. Each call is one transaction of the
 * organization (`RequestTransactions.runForService`: OrgScope.run, every clinic), so RLS applies here as everywhere else.
 */
@Injectable()
export class ProvisioningService {
  constructor(
    private readonly transactions: RequestTransactions,
    private readonly provisioning: ProvisioningRepository,
    private readonly clinics: ClinicsService,
    private readonly doctors: DoctorsService,
    private readonly audit: AuditService,
    private readonly limits: PlanLimitsRepository,
    private readonly organizations: OrganizationsRepository,
    @Inject(REGIONAL_CONFIG) private readonly config: RegionalConfig,
  ) {}

  private inOrg<T>(orgId: string, work: () => Promise<T>): Promise<T> {
    return this.transactions.runForService(orgId, work);
  }

  async provisionOrganization(dto: ProvisionOrganizationDto): Promise<ProvisionOrganizationResult> {
    try {
      return await this.inOrg(dto.organizationId, async () => {
        const timezone = dto.clinic.timezone ?? this.config.timezone;
        const created = await this.provisioning.insertOrganization({
          slug: dto.slug,
          name: dto.name,
          plan: dto.plan,
          limits: PLAN_LIMITS[dto.plan],
          language: this.config.languages[0],
          timezone,
        });
        if (!created) return this.existing(dto);
        if (dto.plan === 'trial' && dto.trialEndsAt) await this.organizations.setTrialEndsAt(new Date(dto.trialEndsAt));

        const clinic = await this.clinics.add({ id: dto.clinic.id, name: dto.clinic.name, timezone, isPrimary: true });
        const membershipId = await this.upsertMember(dto.admin.userId, {
          role: 'org_admin',
          displayName: dto.admin.displayName,
          email: dto.admin.email,
          clinicIds: [clinic.id],
        });
        // Self-registration (seed 002): the first admin is also the org's first doctor, at its first clinic.
        await this.ensureDoctor(dto.organizationId, membershipId, [clinic.id]);
        this.audit.recordService(dto.organizationId, {
          action: 'organization.provision',
          resourceType: 'organization',
          resourceId: dto.organizationId,
          clinicId: clinic.id,
        });
        return { organizationId: dto.organizationId, clinicId: clinic.id, membershipId, created: true };
      });
    } catch (err) {
      throw onViolation(err, { [ORGANIZATION_SLUG_KEY]: () => fail(ErrorCode.ProvisioningConflict, `Slug ${dto.slug} belongs to another organization`) });
    }
  }

  /** A repeated call: answer with what the first one made, provided it asked for the same org. */
  private async existing(dto: ProvisionOrganizationDto): Promise<ProvisionOrganizationResult> {
    const org = await this.provisioning.findOrganization();
    if (!org || org.slug !== dto.slug) {
      throw fail(ErrorCode.ProvisioningConflict, 'This organization id is already provisioned with another slug');
    }
    const clinicId = await this.provisioning.primaryClinicId();
    const membershipId = await this.upsertMember(dto.admin.userId, {
      role: 'org_admin',
      displayName: dto.admin.displayName,
      email: dto.admin.email,
      clinicIds: clinicId ? [clinicId] : [],
    }, { keepExisting: true });
    // A retry completes what an earlier call may not have made (or what came before doctor profiles existed),
    // unless the admin has since been made staff.
    if ((await this.provisioning.roleOf(membershipId)) !== 'staff') await this.ensureDoctor(org.id, membershipId, clinicId ? [clinicId] : []);
    return { organizationId: org.id, clinicId: clinicId ?? dto.clinic.id, membershipId, created: false };
  }

  async upsertMembership(orgId: string, userId: string, dto: ProvisionMembershipDto): Promise<ProvisionMembershipResult> {
    return this.inOrg(orgId, async () => {
      if (!(await this.provisioning.findOrganization())) throw fail(ErrorCode.OrganizationNotFound, 'Organization not found in this region');
      const before = await this.provisioning.findMembership(userId);
      const membershipId = await this.upsertMember(userId, dto);
      this.audit.recordService(orgId, {
        action: before ? 'membership.update' : 'membership.create',
        resourceType: 'membership',
        resourceId: membershipId,
        details: { role: dto.role, clinicCount: dto.clinicIds.length, isActive: dto.isActive !== false },
      });
      // A doctor gets an empty profile at the clinics granted; the org admin fills in the details later.
      // The plan's doctor limit applies here (ensureProfile): a refusal rolls the membership back too.
      if (dto.role === 'doctor') await this.ensureDoctor(orgId, membershipId, dto.clinicIds);
      return { membershipId, created: !before };
    });
  }

  private async upsertMember(userId: string, dto: ProvisionMembershipDto, options: { keepExisting?: boolean } = {}): Promise<string> {
    const existing = await this.provisioning.findMembership(userId);
    if (existing && options.keepExisting) return existing.id;
    const clinicIds = [...new Set(dto.clinicIds)];
    if (clinicIds.length > 0 && (await this.provisioning.countClinics(clinicIds)) !== clinicIds.length) {
      throw fail(ErrorCode.UnknownClinic, 'clinicIds names a clinic this organization does not have');
    }
    const id = existing?.id ?? randomUUID();
    // A deactivated membership is kept (the audit trail refers to it) but reads nothing: mg_begin_request filters on is_active.
    const grant = { role: dto.role, displayName: dto.displayName, email: dto.email ?? null, isActive: dto.isActive !== false };
    if (existing) await this.provisioning.updateMembership(id, grant);
    else await this.provisioning.insertMembership(id, userId, grant);
    await this.provisioning.replaceClinicGrants(id, clinicIds, existing !== null);
    return id;
  }

  private async ensureDoctor(orgId: string, membershipId: string, clinicIds: string[]): Promise<void> {
    const { doctorId, created } = await this.doctors.ensureProfile(membershipId, clinicIds);
    if (created) {
      this.audit.recordService(orgId, { action: 'doctor.create', resourceType: 'doctor', resourceId: doctorId, details: { membershipId } });
    }
  }

  /** Follows the registry; a plan comes with its overage (the limits the org is above, if any). */
  async updateOrganization(orgId: string, dto: UpdateOrganizationMirrorDto): Promise<{ organizationId: string; overage?: Overage[] }> {
    return this.inOrg(orgId, async () => {
      if (!(await this.provisioning.findOrganization())) throw fail(ErrorCode.OrganizationNotFound, 'Organization not found in this region');
      const plan = dto.plan ? (dto.plan as Plan) : null;
      // Counted with the org row locked, so no create overtakes the decision.
      const overage = plan ? await assertPlanFits(this.limits, plan, PLAN_LIMITS[plan], dto.refuseBelowUsage === true) : undefined;
      // The trial's end follows the registry; a plan other than trial has none.
      const trialEndsAt = plan && plan !== 'trial' ? null : dto.trialEndsAt;
      if (trialEndsAt !== undefined) await this.organizations.setTrialEndsAt(trialEndsAt === null ? null : new Date(trialEndsAt));
      // The dunning hold follows the control plane: set once the grace period is over, lifted by a paid invoice.
      const overdueSince = dto.paymentOverdueSince;
      if (overdueSince !== undefined) await this.organizations.setPaymentOverdueSince(overdueSince === null ? null : new Date(overdueSince));
      if (dto.name || dto.status || plan) {
        await this.provisioning.updateOrganization({
          name: dto.name || null,
          status: dto.status || null,
          plan,
          limits: plan ? { ...PLAN_LIMITS[plan] } : null,
        });
      }
      if (dto.name || dto.status || plan || overdueSince !== undefined) {
        this.audit.recordService(orgId, {
          action: 'organization.update',
          resourceType: 'organization',
          resourceId: orgId,
          details: {
            ...(dto.status ? { status: dto.status } : {}),
            ...(dto.plan ? { plan: dto.plan } : {}),
            ...(overdueSince !== undefined ? { paymentOverdueSince: overdueSince } : {}),
          },
        });
      }
      return { organizationId: orgId, ...(overage ? { overage } : {}) };
    });
  }
}
