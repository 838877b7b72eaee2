import { Injectable } from '@nestjs/common';
import { PLAN_LIMITS, Plan, PlanLimits } from '@medgenie/contracts';
import { DomainError } from '@medgenie/http';
import { AuditFilter } from '../audit/admin-audit.repository';
import { AdminAuditService } from '../audit/admin-audit.service';
import { UsersRepository } from '../identity/users.repository';
import { Clock } from '../common/clock';
import { ErrorCode, fail } from '../common/errors';
import { Principal } from '../common/principal';
import { KeysService } from '../keys/keys.service';
import { Organization, OrgStatus } from '../organizations/organization.entity';
import { OrganizationsService } from '../organizations/organizations.service';
import { PlanOverage, RegionalClient } from '../regional/regional-client';
import { ProvisioningService } from '../signup/provisioning.service';
import { ListOrganizationsQuery } from './dto/admin.dto';

const LIMIT_KEYS = ['maxDoctors', 'maxPatients', 'maxClinics'] as const;

/** Whether `to` allows less of anything than `from` (null: unlimited). */
function lowersALimit(from: PlanLimits | undefined, to: PlanLimits): boolean {
  return LIMIT_KEYS.some((key) => to[key] !== null && (from === undefined || from[key] === null || (to[key] as number) < (from[key] as number)));
}

/** What platform admins do to organizations and keys; every action lands in the admin audit trail. */
@Injectable()
export class AdminService {
  constructor(
    private readonly organizations: OrganizationsService,
    private readonly provisioning: ProvisioningService,
    private readonly keys: KeysService,
    private readonly audit: AdminAuditService,
    private readonly regions: RegionalClient,
    private readonly clock: Clock,
    private readonly users: UsersRepository,
  ) {}

  async list(query: ListOrganizationsQuery) {
    const limit = query.limit ?? 50;
    const offset = query.offset ?? 0;
    const [items, total] = await this.organizations.search({
      regionId: query.regionId,
      plan: query.plan,
      status: query.status,
      search: query.search,
      limit,
      offset,
    });
    return { items, total, limit, offset };
  }

  /** The org, with its plan's limits, and its members counted by role and status (never who they are: the org's own admins see that). */
  async get(id: string) {
    const org = await this.organizations.get(id);
    const counts = await this.users.countsByRoleAndStatus(id);
    const byRole: Record<string, number> = {};
    let active = 0;
    for (const c of counts) {
      if (c.status !== 'active') continue;
      byRole[c.role] = (byRole[c.role] ?? 0) + c.count;
      active += c.count;
    }
    const inactive = counts.filter((c) => c.status === 'disabled').reduce((n, c) => n + c.count, 0); // removed members are no longer members
    return { ...org, limits: PLAN_LIMITS[org.plan as Plan] ?? null, members: { active, inactive, byRole } };
  }

  /**
   * Suspends (with the reason given, if any) or reactivates. Idempotent: an org already in that
   * state is answered with its current state (`changed: false`) and nothing else happens: no
   * audit event, no call to the region (a sync still pending is the worker's), reason untouched.
   */
  async setStatus(caller: Principal, id: string, status: Extract<OrgStatus, 'active' | 'suspended'>, reason: string | null = null) {
    const from = status === 'suspended' ? 'active' : 'suspended';
    const patch: Partial<Organization> =
      status === 'suspended'
        ? { status, suspendedAt: new Date(), suspensionReason: reason, regionSyncPending: true }
        : { status, suspendedAt: null, suspensionReason: null, regionSyncPending: true };
    const changed = await this.organizations.transition(id, from, patch);
    if (!changed) {
      const org = await this.organizations.get(id);
      if (org.status !== status) throw fail(ErrorCode.OrganizationNotChangeable, `The organization is ${org.status}`);
      return { ...org, regionSynced: !org.regionSyncPending, changed: false };
    }
    const regionSynced = await this.provisioning.syncRegion(id);
    await this.audit.record(caller.userId, status === 'suspended' ? 'organization.suspend' : 'organization.reactivate', 'organization', id, {
      from,
      regionSynced,
      ...(status === 'suspended' ? { reason } : {}),
    });
    return { ...(await this.organizations.get(id)), regionSynced, changed: true };
  }

  /**
   * A plan that lowers a limit is first put to the region, which holds the usage: it counts with
   * the org row locked and refuses (409 PLAN_BELOW_USAGE, naming what exceeds) unless forced, in
   * which case it applies the plan and answers the overage. Only then does the registry change
   * (and the usual sync follows). A region that cannot be asked refuses a downgrade (503) unless
   * forced. A plan that lowers nothing needs no count.
   */
  async changePlan(caller: Principal, id: string, plan: Plan, force = false) {
    const org = await this.organizations.get(id);
    let overage: PlanOverage[] = [];
    if (org.status !== 'provisioning' && lowersALimit(PLAN_LIMITS[org.plan as Plan], PLAN_LIMITS[plan])) {
      try {
        overage = (await this.regions.updateOrganization(org.regionId, id, { plan, refuseBelowUsage: !force })).overage ?? [];
      } catch (err) {
        if (!(force && err instanceof DomainError && err.code === ErrorCode.RegionUnavailable)) throw err;
      }
    }
    // The trial ends 30 days after signup (seed 002); a paid plan has no trial end.
    const trialEndsAt = plan === 'trial' ? (org.trialEndsAt ?? new Date(this.clock.now().getTime() + (PLAN_LIMITS.trial.trialDays ?? 30) * 86_400_000)) : null;
    await this.organizations.update(id, { plan, trialEndsAt, regionSyncPending: org.status !== 'provisioning' });
    const regionSynced = org.status === 'provisioning' ? false : await this.provisioning.syncRegion(id);
    await this.audit.record(caller.userId, 'organization.plan.change', 'organization', id, {
      from: org.plan,
      to: plan,
      regionSynced,
      ...(force ? { forced: true, overage: overage.map((o) => `${o.key}:${o.usage}/${o.max}`).join(',') } : {}),
    });
    return { ...(await this.organizations.get(id)), regionSynced, ...(force ? { overage } : {}) };
  }

  async domains(id: string) {
    return { organizationId: id, domains: await this.organizations.domains(id) };
  }

  async setDomains(caller: Principal, id: string, domains: string[]) {
    const result = await this.organizations.setDomains(id, domains);
    await this.audit.record(caller.userId, 'organization.domains.set', 'organization', id, { domains: result.map((d) => d.domain).join(',') });
    return { organizationId: id, domains: result };
  }

  /** A verification that changes something is audited, with how it was verified (a forced one says so). */
  async verifyDomain(caller: Principal, id: string, domain: string, force: boolean) {
    const result = await this.organizations.verifyDomain(id, domain, force);
    if (result.changed) await this.audit.record(caller.userId, 'organization.domain.verify', 'organization', id, { domain: result.domain, method: force ? 'forced' : 'dns' });
    return { organizationId: id, ...result };
  }

  async rotateKeys(caller: Principal) {
    const result = await this.keys.rotate();
    await this.audit.record(caller.userId, 'keys.rotate', 'signing_key', result.kid, { retired: result.retiredKid });
    return result;
  }

  auditTrail(limit: number, filter: AuditFilter) {
    return this.audit.list(limit, filter);
  }
}
