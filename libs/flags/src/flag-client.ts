import type { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { InMemStorageProvider, Unleash, UnleashEvents } from 'unleash-client';
import type { ClientFeaturesResponse, Context } from 'unleash-client';
import { FlagsBackup, FlagsStorage } from './backup';

/** Who a flag is evaluated for: the Unleash context's custom fields (DESIGN §7). */
export interface FlagContext {
  userId?: string;
  regionId: string;
  orgId: string;
  clinicId?: string;
  /** Unknown where the evaluating service has no org record (a constraint on `plan` then never matches). */
  plan?: string;
}

/** Where a FlagClient's messages go: the service's own logger (Nest's Logger, pino, …). */
export interface FlagLog {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export interface FlagClientOptions {
  /** The SDK's app name (`region-in`, `gateway`): names the instance to the control plane and the backup file. */
  appName: string;
  /** The control plane's Unleash client API (its URL + `/api`), with this client's token; neither: no polling, defaults only. */
  remote?: { url: string; clientToken: string };
  /** How often definitions are fetched: a change reaches this client within it. */
  refreshIntervalMs: number;
  /** How often evaluation counts are reported; 0 reports none. */
  metricsIntervalMs: number;
  /** Where the last fetched definitions are kept, to start from them with the control plane down. */
  backupDir: string;
  /** What is evaluated until a first fetch, when there is no backup either. */
  defaults: ClientFeaturesResponse;
  log: FlagLog;
}

/** Never contacted: the SDK needs a URL even when it only evaluates its bootstrap. */
const NO_CONTROL_PLANE = 'http://flags.invalid/api';

/** How long start() waits for the SDK's `ready` (the bootstrap or the backup: local, no network). */
const READY_WAIT_MS = 2_000;

/** Answers remembered at most (one per flag and context seen since the definitions last changed). */
const MAX_REMEMBERED = 50_000;

/** Operators whose answer depends on the context alone (not on the time, say). */
const PURE_OPERATORS = new Set(['IN', 'NOT_IN']);

/**
 * One instance of the unmodified `unleash-client` SDK polling the control plane's Unleash client
 * API (DESIGN §7), for a region or the gateway. It starts from the last definitions it fetched
 * (its backup) or else the given defaults, and never waits for the control plane: its service
 * starts and evaluates flags with the control plane down, and catches up once it answers.
 */
export class FlagClient {
  private unleash?: Unleash;
  /** The file backup when a control plane is polled. */
  private backup?: FlagsBackup;
  /** Whether the last poll reached the control plane (logged on change only, not at every poll). */
  private reachable: boolean | undefined;
  /**
   * Answers given since the definitions last changed, by flag and context. MedGenie's flags are
   * `default` strategies with IN / NOT_IN constraints, whose answer is a function of the context
   * alone, so a request of an org (and user) already seen costs a map lookup instead of a walk of
   * the strategies; the SDK still counts every evaluation for the metrics. Off while any definition
   * uses another strategy or operator (a gradual rollout, a date).
   */
  private readonly answers = new Map<string, boolean>();
  private remember = false;

  constructor(private readonly options: FlagClientOptions) {}

  /** Creates the SDK and waits (at most two seconds, never on the network) for its first definitions. */
  async start(): Promise<void> {
    const { appName, remote, log, backupDir, refreshIntervalMs, metricsIntervalMs, defaults } = this.options;
    let backupFailed = false;
    const backupError = (err: unknown) => {
      if (!backupFailed) log.warn(`flags: cannot write the backup in ${backupDir} (${describe(err)}); a restart with the control plane down will start from the defaults`);
      backupFailed = true;
    };
    const backup = remote ? new FlagsBackup(resolve(backupDir), backupError) : undefined;
    this.backup = backup;
    const storage: FlagsStorage = backup ?? new InMemStorageProvider<ClientFeaturesResponse>();
    const unleash = new Unleash({
      url: remote?.url ?? NO_CONTROL_PLANE,
      appName,
      instanceId: `${appName}-${hostname()}-${process.pid}`,
      customHeaders: remote ? { Authorization: remote.clientToken } : undefined,
      // 0: the SDK never polls (nor reports) without a control plane.
      refreshInterval: remote ? refreshIntervalMs : 0,
      // Bounds one fetch and its retries' waits (the SDK retries twice), so a control plane that is
      // down fails a poll in about two seconds rather than thirty.
      timeout: Math.max(1_000, refreshIntervalMs),
      metricsInterval: remote ? metricsIntervalMs : 0,
      disableMetrics: !remote || metricsIntervalMs === 0,
      storageProvider: storage,
      // The SDK reads an inline bootstrap before its backup and then skips the backup (and
      // overwrites it with the bootstrap), so the bootstrap is the backup when there is one, and
      // the defaults otherwise. A first fetch that lands earlier wins over both.
      bootstrap: { bootstrapProvider: { readBootstrap: async () => (await storage.get(appName)) ?? defaults } },
      skipInstanceCountWarning: true,
    });
    this.unleash = unleash;
    unleash.on(UnleashEvents.Error, (err: unknown) => this.pollFailed(err));
    // A control plane that answers 5xx, 404 or 429 is only a warning to the SDK (it backs off and
    // retries), but for this client's status it is as unreachable as one that does not answer.
    unleash.on(UnleashEvents.Warn, (msg: unknown) => (/ responded \d{3}/.test(describe(msg)) ? this.pollFailed(msg) : log.debug(`flag SDK: ${describe(msg)}`)));
    // The first `changed` is the bootstrap's (or, when a fetch landed first, the bootstrap's echo of it).
    let bootstrapped = false;
    unleash.on(UnleashEvents.Changed, () => {
      this.definitionsChanged(unleash);
      if (bootstrapped) this.pollSucceeded();
      else bootstrapped = true;
    });
    unleash.on(UnleashEvents.Unchanged, () => this.pollSucceeded());
    await this.readyOrTimeout(unleash);
  }

  /** Stops polling and reporting; resolves once a backup write under way has finished (none starts after). */
  async stop(): Promise<void> {
    const unleash = this.unleash;
    if (!unleash) return;
    this.unleash = undefined;
    // destroy() removes every listener of the SDK's repository while a fetch may still be in flight
    // (retrying a control plane that is down); that fetch failing afterwards would be an unhandled
    // 'error' event and end the process. Nothing is left to report it to, so it is dropped.
    const repository = (unleash as unknown as { repository?: EventEmitter }).repository;
    unleash.destroy();
    repository?.on('error', () => undefined);
    await this.backup?.close();
  }

  /** Whether a control plane is polled, and whether the last poll reached it (undefined before the first). */
  status(): { polling: boolean; reachable: boolean | undefined } {
    return { polling: this.options.remote !== undefined, reachable: this.reachable };
  }

  /** Whether flag `name` is on for `context` (off for a name the SDK does not know). */
  isEnabled(name: string, context: FlagContext): boolean {
    const sdk = this.sdk();
    if (!this.remember) return sdk.isEnabled(name, unleashContext(context), false);
    const key = `${name}\u0000${context.regionId}\u0000${context.orgId}\u0000${context.plan ?? ''}\u0000${context.clinicId ?? ''}\u0000${context.userId ?? ''}`;
    const known = this.answers.get(key);
    if (known !== undefined) {
      sdk.count(name, known);
      return known;
    }
    const answer = sdk.isEnabled(name, unleashContext(context), false);
    if (this.answers.size >= MAX_REMEMBERED) this.answers.clear();
    this.answers.set(key, answer);
    return answer;
  }

  /** New definitions: the answers given are forgotten, and remembered again only if every definition allows it. */
  private definitionsChanged(unleash: Unleash): void {
    this.answers.clear();
    const definitions = unleash.getFeatureToggleDefinitions() ?? [];
    this.remember = definitions.every((feature) =>
      (feature.strategies ?? []).every((strategy) => strategy.name === 'default' && (strategy.constraints ?? []).every((c) => PURE_OPERATORS.has(String(c.operator)) && !c.inverted)),
    );
  }

  /** Every flag in `names`, and any other the control plane defines, for `context`, by name. */
  evaluateAll(names: Iterable<string>, context: FlagContext): Record<string, boolean> {
    const sdk = this.sdk();
    const all = new Set<string>(names);
    for (const definition of sdk.getFeatureToggleDefinitions() ?? []) all.add(definition.name);
    const ctx = unleashContext(context);
    return Object.fromEntries([...all].sort().map((name) => [name, sdk.isEnabled(name, ctx, false)]));
  }

  private sdk(): Unleash {
    if (!this.unleash) throw new Error('flags evaluated before start() or after stop()');
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
    if (!isReady) this.options.log.warn(`flags: no definitions after ${READY_WAIT_MS} ms; every flag answers off until the SDK has some`);
  }

  private pollSucceeded(): void {
    if (this.reachable === false) this.options.log.info('flags: the control plane answers again');
    this.reachable = true;
  }

  private pollFailed(err: unknown): void {
    if (this.reachable !== false) this.options.log.warn(`flags: cannot fetch definitions (${describe(err)}); evaluating the last ones known`);
    this.reachable = false;
  }
}

/** The SDK's context: the user as `userId`, the rest as custom properties (what constraints name). */
export function unleashContext(context: FlagContext): Context {
  const properties: Record<string, string> = { regionId: context.regionId, orgId: context.orgId };
  if (context.plan !== undefined) properties.plan = context.plan;
  if (context.clinicId !== undefined) properties.clinicId = context.clinicId;
  return context.userId === undefined ? { properties } : { userId: context.userId, properties };
}

function describe(value: unknown): string {
  return value instanceof Error ? value.message : String(value);
}

/**
 * Flags evaluated once against definitions at hand (the control plane's own, read from its
 * database), with a throwaway SDK instance that polls nothing: the same evaluation as every
 * FlagClient, for a service that holds the definitions instead of fetching them.
 */
export async function evaluateDefinitions(definitions: ClientFeaturesResponse, names: readonly string[], context: FlagContext): Promise<Record<string, boolean>> {
  return (await evaluateMany(definitions, names, [context]))[0];
}

/** `evaluateDefinitions` for many contexts with one SDK instance (a flag's reach over every organization). */
export async function evaluateMany(definitions: ClientFeaturesResponse, names: readonly string[], contexts: readonly FlagContext[]): Promise<Record<string, boolean>[]> {
  const unleash = new Unleash({
    url: NO_CONTROL_PLANE,
    appName: 'definitions',
    refreshInterval: 0,
    disableMetrics: true,
    storageProvider: new InMemStorageProvider<ClientFeaturesResponse>(),
    bootstrap: { data: definitions.features },
    skipInstanceCountWarning: true,
  });
  unleash.on(UnleashEvents.Error, () => undefined);
  try {
    await new Promise<void>((done) => {
      if (unleash.isSynchronized()) return done();
      unleash.once(UnleashEvents.Ready, () => done());
      unleash.once(UnleashEvents.Synchronized, () => done());
    });
    return contexts.map((context) => {
      const ctx = unleashContext(context);
      return Object.fromEntries(names.map((name) => [name, unleash.isEnabled(name, ctx, false)]));
    });
  } finally {
    unleash.destroy();
  }
}
