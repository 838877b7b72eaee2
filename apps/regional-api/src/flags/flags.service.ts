import type { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { InMemStorageProvider, Unleash, UnleashEvents } from 'unleash-client';
import type { ClientFeaturesResponse } from 'unleash-client';
import { REGIONAL_CONFIG, RegionalConfig } from '../config/regional.config';
import { DEFAULT_FLAG_DEFINITIONS, SEED_FLAGS } from './flag-defaults';
import { FlagsBackup, FlagsStorage } from './flags-backup';

/** Who a flag is evaluated for: the Unleash context's custom fields (DESIGN §7). */
export interface FlagContext {
  userId: string;
  regionId: string;
  orgId: string;
  clinicId?: string;
  plan: string;
}

/** Never contacted: the SDK needs a URL even when it only evaluates its bootstrap. */
const NO_CONTROL_PLANE = 'http://flags.invalid/api';

/** How long boot waits for the SDK's `ready` (the bootstrap or the backup: local, no network). */
const READY_WAIT_MS = 2_000;

/**
 * The region's feature flags, evaluated by one instance of the unmodified `unleash-client` SDK
 * polling the control plane's Unleash client API. It starts from the last definitions it fetched
 * (its backup) or else seed 000's defaults, and never waits for the control plane: a region
 * starts and evaluates flags with the control plane down, and catches up once it answers.
 */
@Injectable()
export class Flags implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Flags');
  private unleash?: Unleash;
  /** Whether the last poll reached the control plane (logged on change only, not at every poll). */
  private reachable: boolean | undefined;

  constructor(@Inject(REGIONAL_CONFIG) private readonly config: RegionalConfig) {}

  async onModuleInit(): Promise<void> {
    const { flags, regionId } = this.config;
    const appName = `region-${regionId}`;
    const remote = flags.url !== undefined && flags.clientToken !== undefined;
    let backupFailed = false;
    const backupError = (err: unknown) => {
      if (!backupFailed) this.logger.warn(`flags: cannot write the backup in ${flags.backupDir} (${describe(err)}); a restart with the control plane down will start from seed defaults`);
      backupFailed = true;
    };
    const storage: FlagsStorage = remote ? new FlagsBackup(resolve(flags.backupDir), backupError) : new InMemStorageProvider<ClientFeaturesResponse>();
    const unleash = new Unleash({
      url: remote ? (flags.url as string) : NO_CONTROL_PLANE,
      appName,
      instanceId: `${appName}-${hostname()}-${process.pid}`,
      customHeaders: remote ? { Authorization: flags.clientToken as string } : undefined,
      // 0: the SDK never polls (nor reports) without a control plane.
      refreshInterval: remote ? flags.refreshIntervalMs : 0,
      // Bounds one fetch and its retries' waits (the SDK retries twice), so a control plane that is
      // down fails a poll in about two seconds rather than thirty.
      timeout: Math.max(1_000, flags.refreshIntervalMs),
      metricsInterval: remote ? flags.metricsIntervalMs : 0,
      disableMetrics: !remote || flags.metricsIntervalMs === 0,
      storageProvider: storage,
      // The SDK reads an inline bootstrap before its backup and then skips the backup (and
      // overwrites it with the bootstrap), so the bootstrap is the backup when there is one, and
      // seed 000's defaults otherwise. A first fetch that lands earlier wins over both.
      bootstrap: { bootstrapProvider: { readBootstrap: async () => (await storage.get(appName)) ?? DEFAULT_FLAG_DEFINITIONS } },
      skipInstanceCountWarning: true,
    });
    this.unleash = unleash;
    unleash.on(UnleashEvents.Error, (err: unknown) => this.pollFailed(err));
    unleash.on(UnleashEvents.Warn, (msg: unknown) => this.logger.debug(`flag SDK: ${describe(msg)}`));
    // The first `changed` is the bootstrap's (or, when a fetch landed first, the bootstrap's echo of it).
    let bootstrapped = false;
    unleash.on(UnleashEvents.Changed, () => (bootstrapped ? this.pollSucceeded() : (bootstrapped = true)));
    unleash.on(UnleashEvents.Unchanged, () => this.pollSucceeded());
    if (remote) {
      this.logger.log(`flags from ${flags.url} every ${flags.refreshIntervalMs} ms (as ${appName}; backup in ${flags.backupDir})`);
    } else {
      this.logger.log('flags: FLAGS_URL and FLAGS_CLIENT_TOKEN are not set, so flags are seed 000 defaults only (no control plane is polled)');
    }
    await this.readyOrTimeout(unleash);
  }

  onApplicationShutdown(): void {
    const unleash = this.unleash;
    if (!unleash) return;
    this.unleash = undefined;
    // destroy() removes every listener of the SDK's repository while a fetch may still be in flight
    // (retrying a control plane that is down); that fetch failing afterwards would be an unhandled
    // 'error' event and end the process. Nothing is left to report it to, so it is dropped.
    const repository = (unleash as unknown as { repository?: EventEmitter }).repository;
    unleash.destroy();
    repository?.on('error', () => undefined);
  }

  /**
   * Whether the SDK polls a control plane, and whether its last poll reached it (undefined before
   * the first poll): for readiness reports and tests.
   */
  status(): { polling: boolean; reachable: boolean | undefined } {
    return { polling: this.config.flags.url !== undefined, reachable: this.reachable };
  }

  /** Whether flag `name` is on for `context` (off for a name the SDK does not know). */
  isEnabled(name: string, context: FlagContext): boolean {
    return this.sdk().isEnabled(name, unleashContext(context), false);
  }

  /** Every flag for `context`: seed 000's, and any other the control plane defines. */
  evaluateAll(context: FlagContext): Record<string, boolean> {
    const sdk = this.sdk();
    const names = new Set<string>(SEED_FLAGS);
    for (const definition of sdk.getFeatureToggleDefinitions() ?? []) names.add(definition.name);
    const ctx = unleashContext(context);
    return Object.fromEntries([...names].sort().map((name) => [name, sdk.isEnabled(name, ctx, false)]));
  }

  private sdk(): Unleash {
    if (!this.unleash) throw new Error('Flags used before the module started or after it stopped');
    return this.unleash;
  }

  private async readyOrTimeout(unleash: Unleash): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const ready = new Promise<boolean>((done) => {
      unleash.once(UnleashEvents.Ready, () => done(true));
      timer = setTimeout(() => done(false), READY_WAIT_MS);
    });
    const isReady = await ready;
    clearTimeout(timer);
    if (!isReady) this.logger.warn(`flags: no definitions after ${READY_WAIT_MS} ms; every flag answers off until the SDK has some`);
  }

  private pollSucceeded(): void {
    if (this.reachable === false) this.logger.log('flags: the control plane answers again');
    this.reachable = true;
  }

  private pollFailed(err: unknown): void {
    if (this.reachable !== false) this.logger.warn(`flags: cannot fetch definitions (${describe(err)}); evaluating the last ones known`);
    this.reachable = false;
  }
}

function unleashContext(context: FlagContext) {
  const properties: Record<string, string> = { regionId: context.regionId, orgId: context.orgId, plan: context.plan };
  if (context.clinicId !== undefined) properties.clinicId = context.clinicId;
  return { userId: context.userId, properties };
}

function describe(value: unknown): string {
  return value instanceof Error ? value.message : String(value);
}
