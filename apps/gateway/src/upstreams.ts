import { Client, Pool } from 'undici';
import type { GatewayConfig } from './config';
import { Slots } from '@medgenie/limits';

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
  /** Consecutive probes that got no answer in time. */
  probeFailures: number;
  /** What the region last said of itself (its database answers): for logs and operators, not for the breaker. */
  ready: boolean;
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
  /** Called after every round of probes with the regions (the control plane left out). */
  onProbed?: (regions: Upstream[]) => void;

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
        ready: true,
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
      this.onProbed?.([...this.upstreams.values()].filter((u) => u.name !== 'control-plane'));
    } finally {
      this.probing = false;
    }
  }

  /**
   * One probe of `/readyz`. A refused connection opens the breaker at once (the region is not
   * there); HEALTH_FAILURES probes in a row that get no answer in time open it too (the region
   * hangs). A region that answers, even "not ready", is alive and keeps its requests: it answers
   * them itself, 503 DATABASE_UNAVAILABLE within a second when its database is in trouble. A
   * region that one org keeps busy answers its probes late or "not ready" (its own database check
   * runs out of time), and opening the breaker then would turn that one org's load into an outage
   * for every org of the region. Any answer closes the breaker again.
   */
  private async probe(u: Upstream): Promise<void> {
    const timeout = this.config.health.timeoutMs;
    try {
      const res = await u.probe.request({ method: 'GET', path: this.config.health.path, headersTimeout: timeout, bodyTimeout: timeout, signal: AbortSignal.timeout(timeout) });
      await res.body.dump();
      u.healthy = true;
      u.failures = 0;
      u.probeFailures = 0;
      u.ready = res.statusCode === 200;
    } catch (err) {
      u.probeFailures += 1;
      if (neverSent(err) || u.probeFailures >= this.config.health.probeFailures) u.healthy = false;
    }
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
