import { Inject, Injectable, Logger } from '@nestjs/common';
import { Plan } from '@medgenie/contracts';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';
import { UsersRepository } from '../identity/users.repository';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import { OrganizationsService } from '../organizations/organizations.service';
import { RegionalClient } from '../regional/regional-client';

const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * The region-facing half of the signup saga: ask the org's region to hold it (idempotent on the
 * org id), then mark it active. A failure leaves it in `provisioning` with a time to try again.
 */
@Injectable()
export class ProvisioningService {
  private readonly logger = new Logger(ProvisioningService.name);

  constructor(
    private readonly regions: RegionalClient,
    private readonly organizations: OrganizationsService,
    private readonly registry: OrganizationsRepository,
    private readonly users: UsersRepository,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
  ) {}

  /** True when the org is active afterwards. */
  async attempt(orgId: string): Promise<boolean> {
    const org = await this.registry.findById(orgId);
    if (!org || org.status !== 'provisioning') return org?.status === 'active';
    const admin = await this.users.firstOrgAdmin(orgId);
    if (!admin) return false;
    try {
      await this.regions.provisionOrganization(org.regionId, {
        organizationId: org.id,
        slug: org.slug,
        name: org.name,
        plan: org.plan as Plan,
        ...(org.trialEndsAt ? { trialEndsAt: org.trialEndsAt.toISOString() } : {}),
        clinic: { id: org.primaryClinicId, name: org.primaryClinicName },
        admin: { userId: admin.id, displayName: admin.name, email: admin.email },
      });
    } catch (err) {
      const attempts = org.provisioningAttempts + 1;
      const delay = Math.min(this.config.provisioningRetryMs * 2 ** Math.min(attempts - 1, 10), MAX_BACKOFF_MS);
      await this.registry.update(orgId, {
        provisioningAttempts: attempts,
        provisioningError: (err as Error).message.slice(0, 500),
        nextProvisioningAt: new Date(Date.now() + delay),
      });
      this.logger.warn({ organizationId: orgId, attempts, retryInMs: delay }, 'provisioning deferred');
      return false;
    }
    await this.organizations.update(orgId, {
      status: 'active',
      provisioningAttempts: org.provisioningAttempts + 1,
      provisioningError: null,
      nextProvisioningAt: null,
    });
    return true;
  }

  /** Pushes a status/plan change the region missed. True when the region has it now. */
  async syncRegion(orgId: string): Promise<boolean> {
    const org = await this.registry.findById(orgId);
    if (!org || org.status === 'provisioning') return false;
    try {
      await this.regions.updateOrganization(org.regionId, org.id, {
        name: org.name,
        plan: org.plan,
        status: org.status,
        trialEndsAt: org.trialEndsAt ? org.trialEndsAt.toISOString() : null,
        paymentOverdueSince: org.paymentOverdueSince ? org.paymentOverdueSince.toISOString() : null,
      });
    } catch {
      await this.registry.update(orgId, { regionSyncPending: true });
      return false;
    }
    // Clear the flag only if nothing changed meanwhile (another change keeps it for the next pass).
    await this.registry.clearSyncPendingIfUnchanged(org);
    return true;
  }
}
