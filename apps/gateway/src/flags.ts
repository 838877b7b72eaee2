import type { Logger } from 'pino';
import type { ClientFeaturesResponse } from 'unleash-client';
import { PLATFORM_FLAG_DEFINITIONS, READ_ONLY_MAINTENANCE_FLAG, toUnleashFeatures } from '@medgenie/contracts';
import { FlagClient, FlagContext } from '@medgenie/flags';
import type { GatewayConfig } from './config';

/**
 * The gateway's feature flags (DESIGN §7): one `unleash-client` instance polling the control plane
 * with the gateway's client token, started from its backup or else the platform flags' defaults
 * (all off), so the gateway evaluates flags with the control plane down. Without a control plane
 * to poll (no FLAGS_URL) there is nothing that could turn a flag on, so none is evaluated.
 */
export class GatewayFlags {
  private constructor(private readonly client: FlagClient) {}

  static async start(config: GatewayConfig, log: Logger): Promise<GatewayFlags | null> {
    const { remote, refreshIntervalMs, metricsIntervalMs, backupDir } = config.flags;
    if (!remote) {
      log.info('flags: FLAGS_URL and FLAGS_CLIENT_TOKEN are not set, so the gateway evaluates no flags (read_only_maintenance stays off)');
      return null;
    }
    const client = new FlagClient({
      appName: 'gateway',
      remote,
      refreshIntervalMs,
      metricsIntervalMs,
      backupDir,
      // The wire format, as JSON: the SDK's Operator enum that types `operator` is not exported.
      defaults: toUnleashFeatures(PLATFORM_FLAG_DEFINITIONS) as unknown as ClientFeaturesResponse,
      log: { info: (m) => log.info(m), warn: (m) => log.warn(m), debug: (m) => log.debug(m) },
    });
    await client.start();
    log.info(`flags from ${remote.url} every ${refreshIntervalMs} ms (as gateway; backup in ${backupDir})`);
    return new GatewayFlags(client);
  }

  /** Whether `read_only_maintenance` is on for this org: its writes are refused, its reads marked. */
  readOnly(context: FlagContext): boolean {
    return this.client.isEnabled(READ_ONLY_MAINTENANCE_FLAG, context);
  }

  status(): { polling: boolean; reachable: boolean | undefined } {
    return this.client.status();
  }

  stop(): Promise<void> {
    return this.client.stop();
  }
}
