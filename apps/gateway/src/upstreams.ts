import { Client, Pool } from 'undici';
import type { GatewayConfig } from './config';
import { Slots } from './slots';

export interface Upstream {
  name: string;
  pool: Pool;
  /** One request per pooled connection: a request waits (bounded) for a slot instead of queueing in undici without end. */
  slots: Slots;
  /** Its own connection for the health probe, so the probe never queues behind proxied traffic. */
  probe: Client;
  url: string;
  healthy: boolean;
  failures: number;
  /** Consecutive probes that failed: a refused connection opens the breaker at once, a slow or not-ready answer when the next probe fails too. */
  probeFailures: number;
}

/**
 * Errors that say the upstream itself is in trouble: it refused or dropped the connection, or
 * did not answer in time. Only these count towards a breaker; whatever a client did to its own
 * request (a header undici refuses, a body it aborted or trickled) never does.
 */
const UPSTREAM_FAULTS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

/** Faults after which the request certainly never reached the upstream (safe to retry whatever it was). */
const NOT_SENT = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

function codeOf(err: unknown): string {
  const e = err as { code?: string; cause?: { code?: string } };
  return e?.code ?? e?.cause?.code ?? '';
}

export function isUpstreamFault(err: unknown): boolean {
  return UPSTREAM_FAULTS.has(codeOf(err));
}

export function neverSent(err: unknown): boolean {
  return NOT_SENT.has(codeOf(err));
}

export function isTimeout(err: unknown): boolean {
  return /TIMEOUT|ETIMEDOUT/.test(codeOf(err));
}

/**
 * One undici pool per upstream (each region, the control plane), with a breaker: a background
 * probe of the upstream's readiness (`/readyz`: the region's database answers) on a connection
 * of its own, and passive counting of upstream faults. A down upstream is answered 503 at once
 * instead of making callers wait.
 */
export class Upstreams {
  private readonly upstreams = new Map<string, Upstream>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly config: GatewayConfig) {
    const targets: Record<string, string> = { ...config.regionUrls, 'control-plane': config.controlPlane.url };
    const { connections, queueTimeoutMs, connectTimeoutMs, headersTimeoutMs, bodyTimeoutMs } = config.upstream;
    for (const [name, url] of Object.entries(targets)) {
      this.upstreams.set(name, {
        name,
        url,
        healthy: true,
        failures: 0,
        probeFailures: 0,
        slots: new Slots(connections, queueTimeoutMs, connections * 4),
        probe: new Client(url, { connectTimeout: config.health.timeoutMs, pipelining: 1, keepAliveTimeout: 10_000 }),
        pool: new Pool(url, {
          connections,
          pipelining: 1,
          connectTimeout: connectTimeoutMs,
          headersTimeout: headersTimeoutMs,
          bodyTimeout: bodyTimeoutMs,
          keepAliveTimeout: 10_000,
        }),
      });
    }
  }

  get(name: string): Upstream | undefined {
    return this.upstreams.get(name);
  }

  start(): void {
    void this.probeAll();
    this.timer = setInterval(() => void this.probeAll(), this.config.health.intervalMs);
    this.timer.unref();
  }

  private probing = false;

  private async probeAll(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      await Promise.all([...this.upstreams.values()].map((u) => this.probe(u)));
    } finally {
      this.probing = false;
    }
  }

  /**
   * One probe. A refused connection opens the breaker at once (the region is not there). A probe
   * that times out or answers "not ready" opens it only after HEALTH_FAILURES of them in a row
   * (2 s at the defaults): a region that one org keeps busy (an upload burst, a slow `select 1`)
   * answers its probes late, and must not be turned away for every org because of it. The region
   * bounds its own waits on a database in trouble (503 within a second), so the breaker only
   * spares clients a trip. One good probe closes it again.
   */
  private async probe(u: Upstream): Promise<void> {
    const timeout = this.config.health.timeoutMs;
    let refused = false;
    let ready = false;
    try {
      const res = await u.probe.request({ method: 'GET', path: this.config.health.path, headersTimeout: timeout, bodyTimeout: timeout, signal: AbortSignal.timeout(timeout) });
      await res.body.dump();
      ready = res.statusCode === 200;
    } catch (err) {
      refused = neverSent(err);
    }
    if (ready) {
      u.healthy = true;
      u.failures = 0;
      u.probeFailures = 0;
      return;
    }
    u.probeFailures += 1;
    if (refused || u.probeFailures >= this.config.health.probeFailures) u.healthy = false;
  }

  succeeded(u: Upstream): void {
    u.failures = 0;
  }

  failed(u: Upstream): void {
    u.failures += 1;
    if (u.failures >= this.config.health.breakerThreshold) u.healthy = false;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.upstreams.values()].flatMap((u) => [u.pool.close().catch(() => undefined), u.probe.close().catch(() => undefined)]));
  }
}
