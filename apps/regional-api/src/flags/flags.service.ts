import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { FlagClient, FlagContext } from '@medgenie/flags';
import { REGIONAL_CONFIG, RegionalConfig } from '../config/regional.config';
import { DEFAULT_FLAG_DEFINITIONS, SEED_FLAGS } from './flag-defaults';

export type { FlagContext };

/**
 * The region's feature flags: one `unleash-client` instance (@medgenie/flags) polling the control
 * plane as `region-<id>`, started from its backup or else seed 000's defaults, so a region starts
 * and evaluates flags with the control plane down.
 */
@Injectable()
export class Flags implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Flags');
  private readonly client: FlagClient;

  constructor(@Inject(REGIONAL_CONFIG) private readonly config: RegionalConfig) {
    const { flags, regionId } = config;
    this.client = new FlagClient({
      appName: `region-${regionId}`,
      remote: flags.url !== undefined && flags.clientToken !== undefined ? { url: flags.url, clientToken: flags.clientToken } : undefined,
      refreshIntervalMs: flags.refreshIntervalMs,
      metricsIntervalMs: flags.metricsIntervalMs,
      backupDir: flags.backupDir,
      defaults: DEFAULT_FLAG_DEFINITIONS,
      log: { info: (m) => this.logger.log(m), warn: (m) => this.logger.warn(m), debug: (m) => this.logger.debug(m) },
    });
  }

  async onModuleInit(): Promise<void> {
    const { flags, regionId } = this.config;
    if (flags.url !== undefined) {
      this.logger.log(`flags from ${flags.url} every ${flags.refreshIntervalMs} ms (as region-${regionId}; backup in ${flags.backupDir})`);
    } else {
      this.logger.log('flags: FLAGS_URL and FLAGS_CLIENT_TOKEN are not set, so flags are seed 000 defaults only (no control plane is polled)');
    }
    await this.client.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.client.stop();
  }

  /** Whether the SDK polls a control plane, and whether its last poll reached it: for readiness reports and tests. */
  status(): { polling: boolean; reachable: boolean | undefined } {
    return this.client.status();
  }

  /** Whether flag `name` is on for `context` (off for a name the SDK does not know). */
  isEnabled(name: string, context: FlagContext): boolean {
    return this.client.isEnabled(name, context);
  }

  /** Every flag for `context`: seed 000's, and any other the control plane defines. */
  evaluateAll(context: FlagContext): Record<string, boolean> {
    return this.client.evaluateAll(SEED_FLAGS, context);
  }
}
