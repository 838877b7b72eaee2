import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { GatewayRegionView, GatewayViewReport } from '@medgenie/contracts';
import type { GatewayConfig } from './config';
import type { Upstream } from './upstreams';

/** A view is sent when a region's state changed, else at least this often (the control plane keeps it a few times longer). */
const REPORT_EVERY_MS = 2_000;
/** After a report fails, the next waits this long, doubling per failure up to the cap: a control plane that is down or refusing gets a few requests a minute, not two a second. */
const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 10_000;

/**
 * Tells the control plane how this gateway sees each region after its probes: routing (breaker
 * closed) or not, ready or not, for the console's Regions page. A report is one small PUT with the
 * gateway's service credential, never awaited by a request; the control plane down or refusing, it
 * is dropped and the next one backs off.
 */
export class GatewayViewReporter {
  readonly gatewayId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 128);
  private lastAt = 0;
  private lastState = '';
  private sending = false;
  private retryMs = 0;
  private retryAt = 0;

  constructor(private readonly config: GatewayConfig) {}

  private get url(): string {
    return `${this.config.controlPlane.url}/internal/v1/gateways/${encodeURIComponent(this.gatewayId)}/view`;
  }

  async report(regions: Upstream[], now = Date.now()): Promise<void> {
    const state = regions.map((u) => `${u.name}:${u.healthy}:${u.ready}`).join(',');
    if (this.sending || now < this.retryAt || (state === this.lastState && now - this.lastAt < REPORT_EVERY_MS)) return;
    const view: GatewayViewReport = {
      at: new Date(now).toISOString(),
      regions: Object.fromEntries(regions.map((u): [string, GatewayRegionView] => [u.name, { routing: u.healthy, ready: u.ready, probeFailures: u.probeFailures }])),
    };
    this.sending = true;
    let sent = false;
    try {
      const res = await fetch(this.url, {
        method: 'PUT',
        headers: { 'x-service-token': this.config.controlPlane.serviceToken, 'content-type': 'application/json' },
        body: JSON.stringify(view),
        signal: AbortSignal.timeout(this.config.controlPlane.timeoutMs),
      });
      await res.arrayBuffer();
      sent = res.ok;
    } catch {
      // The control plane is down or slow: a later round tries again.
    } finally {
      this.sending = false;
    }
    if (sent) {
      this.lastState = state;
      this.lastAt = now;
      this.retryMs = 0;
      this.retryAt = 0;
    } else {
      this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs ? this.retryMs * 2 : RETRY_FIRST_MS);
      this.retryAt = now + this.retryMs;
    }
  }

  /** The gateway stops: its view goes at once (not only when it expires). */
  async withdraw(): Promise<void> {
    await fetch(this.url, { method: 'DELETE', headers: { 'x-service-token': this.config.controlPlane.serviceToken }, signal: AbortSignal.timeout(1_000) })
      .then((res) => res.arrayBuffer())
      .catch(() => undefined);
  }
}
