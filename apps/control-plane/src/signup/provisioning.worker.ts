import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';
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
    private readonly dataSource: DataSource,
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
    const [claimed]: [{ id: string; status: string; region_sync_pending: boolean }[], number] = await this.dataSource.query(
      `update organizations set next_provisioning_at = now() + interval '1 minute'
        where id in (select id from organizations
                      where (status = 'provisioning' and next_provisioning_at <= now()) or region_sync_pending
                      order by next_provisioning_at nulls first limit 20 for update skip locked)
        returning id, status, region_sync_pending`,
    );
    for (const row of claimed) {
      if (row.status === 'provisioning') await this.provisioning.attempt(row.id);
      else if (row.region_sync_pending) await this.provisioning.syncRegion(row.id);
    }
  }
}
