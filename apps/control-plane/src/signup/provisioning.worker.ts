import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import { ProvisioningService } from './provisioning.service';

/**
 * Finishes what a region outage interrupted: organizations still provisioning, and status or plan
 * changes a region has not taken. Claims work with SKIP LOCKED, so several instances can run.
 */
@Injectable()
export class ProvisioningWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ProvisioningWorker.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly registry: OrganizationsRepository,
    private readonly provisioning: ProvisioningService,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running ??= this.tick()
        .catch((err) => this.logger.error({ err }, 'provisioning worker tick failed'))
        .finally(() => (this.running = undefined));
    }, this.config.provisioningRetryMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass: claim due work (pushing its next time out, so no other instance takes it), do it. */
  async tick(): Promise<void> {
    const claimed = await this.registry.claimDue(20);
    for (const row of claimed) {
      if (row.status === 'provisioning') await this.provisioning.attempt(row.id);
      else if (row.regionSyncPending) await this.provisioning.syncRegion(row.id);
    }
  }
}
