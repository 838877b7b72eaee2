import { Pool } from 'undici';
import type { GatewayConfig } from './config';

interface Upstream {
  pool: Pool;
  url: string;
  healthy: boolean;
  failures: number;
  /** When a proxied request last succeeded: a busy, healthy upstream needs no probe. */
  lastSuccess: number;
}

/**
 * One undici pool per upstream (each region, the control plane), with a breaker: a background
 * probe of /healthz and passive failure counting mark an upstream down, and a down upstream is
 * answered 503 at once instead of making callers wait.
 */
export class Upstreams {
  private readonly upstreams = new Map<string, Upstream>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly config: GatewayConfig) {
    const targets: Record<string, string> = { ...config.regionUrls, 'control-plane': config.controlPlane.url };
    for (const [name, url] of Object.entries(targets)) {
      this.upstreams.set(name, {
        url,
        healthy: true,
        failures: 0,
        lastSuccess: 0,
        pool: new Pool(url, {
          connections: 128,
          pipelining: 1,
          connectTimeout: config.upstream.connectTimeoutMs,
          headersTimeout: config.upstream.headersTimeoutMs,
          bodyTimeout: config.upstream.bodyTimeoutMs,
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

  private async probeAll(): Promise<void> {
    const now = Date.now();
    await Promise.all(
      [...this.upstreams.values()]
        .filter((u) => !u.healthy || now - u.lastSuccess > this.config.health.intervalMs)
        .map(async (u) => {
          try {
            const res = await u.pool.request({
              method: 'GET',
              path: '/healthz',
              headersTimeout: this.config.health.timeoutMs,
              bodyTimeout: this.config.health.timeoutMs,
              signal: AbortSignal.timeout(this.config.health.timeoutMs),
            });
            await res.body.dump();
            u.healthy = res.statusCode === 200;
            if (u.healthy) u.failures = 0;
          } catch {
            u.healthy = false;
          }
        }),
    );
  }

  succeeded(u: Upstream): void {
    u.failures = 0;
    u.lastSuccess = Date.now();
  }

  failed(u: Upstream): void {
    u.failures += 1;
    if (u.failures >= this.config.health.breakerThreshold) u.healthy = false;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.upstreams.values()].map((u) => u.pool.close().catch(() => undefined)));
  }
}
