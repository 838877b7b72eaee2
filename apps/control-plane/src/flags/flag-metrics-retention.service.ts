import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Clock } from '../common/clock';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';
import { FlagsRepository } from './flags.repository';

const DAY_MS = 24 * 60 * 60_000;
/** The first prune comes a minute after start (not on the start's path), then one every hour. */
const FIRST_PRUNE_MS = 60_000;
const PRUNE_EVERY_MS = 60 * 60_000;

/**
 * Keeps the SDKs' hourly flag evaluation counts (`flag_metrics_hourly`) for
 * `FLAG_METRICS_RETENTION_DAYS`: a timer, off the request path, deletes the older hours once an
 * hour. Each instance of the control plane prunes on its own; the DELETE is idempotent, so two
 * instances pruning at once only do the same work twice.
 */
@Injectable()
export class FlagMetricsRetention implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(FlagMetricsRetention.name);
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly flags: FlagsRepository,
    private readonly clock: Clock,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
  ) {}

  onModuleInit(): void {
    this.schedule(FIRST_PRUNE_MS);
  }

  onModuleDestroy(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Deletes the hours older than the retention, counted back from the clock's now; answers how many rows went. */
  prune(): Promise<number> {
    return this.flags.deleteMetricsBefore(new Date(this.clock.now().getTime() - this.config.flags.metricsRetentionDays * DAY_MS));
  }

  /** One timer at a time: the next prune is set when this one ends, so a slow one never overlaps the next. */
  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.prune()
        .then((deleted) => {
          if (deleted > 0) this.logger.log(`pruned ${deleted} hourly flag metric rows`);
        })
        .catch((err: Error) => this.logger.warn(`flag metrics not pruned: ${err.message}`))
        .finally(() => this.schedule(PRUNE_EVERY_MS));
    }, delayMs);
    this.timer.unref();
  }
}
