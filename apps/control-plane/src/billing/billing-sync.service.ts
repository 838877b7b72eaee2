import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';
import { OrganizationsService } from '../organizations/organizations.service';
import { ProvisioningService } from '../signup/provisioning.service';
import { BillingRepository } from './billing.repository';

/**
 * Carries billing's changes beyond the control plane's database: the org's region (its plan limits,
 * trial end and payment hold, through the registry's sync, which the provisioning worker retries
 * while the region is down) and the registry's change event (the gateway's cached plan, the flags'
 * `plan` context). Also ends grace periods: every BILLING_SWEEP_INTERVAL_SECONDS, an org still
 * unpaid at the end of its grace is put on hold (read-only, as a trial that ended).
 */
@Injectable()
export class BillingSync implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(BillingSync.name);
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<string[]>;

  constructor(
    private readonly billing: BillingRepository,
    private readonly provisioning: ProvisioningService,
    private readonly organizations: OrganizationsService,
    private readonly clock: Clock,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => {
      this.sweep().catch((err: Error) => this.logger.warn(`billing sweep failed: ${err.message}`));
    }, this.config.billing.sweepIntervalMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Pushes the org's registry state to its region and announces the change (a region that is down gets it later). */
  async push(orgId: string): Promise<void> {
    const synced = await this.provisioning.syncRegion(orgId);
    if (!synced) this.logger.warn({ organizationId: orgId }, 'billing change not yet in the region; the provisioning worker retries');
    await this.organizations.announce(await this.organizations.get(orgId));
  }

  /** Holds every org whose grace period has ended by the clock's now; the ids held. One sweep at a time. */
  sweep(): Promise<string[]> {
    this.sweeping ??= this.sweepOnce().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async sweepOnce(): Promise<string[]> {
    const now = this.clock.now();
    const held = await this.billing.inTransaction(async (m) => {
      const due = await this.billing.suspendGraceEnded(m, now);
      for (const { organizationId, paymentFailedAt } of due) {
        await this.billing.setPaymentOverdue(m, organizationId, paymentFailedAt);
        await this.billing.audit(m, organizationId, 'billing.payment.hold', { paymentFailedAt: paymentFailedAt.toISOString(), heldAt: now.toISOString() });
      }
      return due.map((d) => d.organizationId);
    });
    for (const orgId of held) await this.push(orgId);
    return held;
  }
}
