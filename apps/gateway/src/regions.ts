import type { GatewayConfig } from './config';

export interface RegionInfo {
  id: string;
  domain: string;
  localDomain: string;
}

export type HostKind =
  | { kind: 'console' }
  | { kind: 'api' }
  | { kind: 'org'; slug: string; regionId: string }
  | { kind: 'custom'; host: string };

/**
 * The region list (domains) from the control plane, loaded at start and refreshed; used to tell
 * console, api, org and custom-domain hosts apart. The last good list is kept when the control
 * plane is down.
 */
export class RegionDirectory {
  private regions: RegionInfo[] = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly config: GatewayConfig) {}

  get ready(): boolean {
    return this.regions.length > 0;
  }

  async load(): Promise<boolean> {
    try {
      const res = await fetch(`${this.config.controlPlane.url}/v1/regions`, { signal: AbortSignal.timeout(this.config.controlPlane.timeoutMs) });
      if (!res.ok) return false;
      const list = (await res.json()) as RegionInfo[];
      if (Array.isArray(list) && list.length) this.regions = list.map((r) => ({ id: r.id, domain: r.domain, localDomain: r.localDomain }));
      return true;
    } catch {
      return false;
    }
  }

  /** Loads now (retrying briefly), then refreshes in the background. */
  async start(refreshMs = 60_000): Promise<void> {
    for (let i = 0; i < 50 && !(await this.load()); i += 1) await new Promise((r) => setTimeout(r, 200));
    this.timer = setInterval(() => void this.load(), this.ready ? refreshMs : 1_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Host names an org answers to under the region domains (for cache invalidation). */
  hostsForSlug(slug: string): string[] {
    return this.regions.flatMap((r) => [`${slug}.${r.domain}`, `${slug}.${r.localDomain}`]);
  }

  /**
   * The host an org answers to under its own region's domain, in the form of the request's host
   * (`<slug>.<localDomain>` when the request came to a local domain, `<slug>.<domain>` otherwise);
   * null for a region this directory does not know.
   */
  homeHost(slug: string, regionId: string, requestHost: string): string | null {
    const home = this.regions.find((r) => r.id === regionId);
    if (!home) return null;
    const local = this.regions.some((r) => requestHost.endsWith(`.${r.localDomain}`));
    return `${slug}.${local ? home.localDomain : home.domain}`;
  }

  classify(host: string): HostKind {
    const bases = ['localhost', ...this.regions.map((r) => r.domain)];
    for (const base of bases) {
      if (host === `console.${base}`) return { kind: 'console' };
      if (host === `api.${base}`) return { kind: 'api' };
    }
    for (const r of this.regions) {
      for (const domain of [r.domain, r.localDomain]) {
        if (host === `api.${domain}`) return { kind: 'api' };
        if (host.endsWith(`.${domain}`)) {
          const label = host.slice(0, -domain.length - 1);
          if (/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(label)) return { kind: 'org', slug: label, regionId: r.id };
        }
      }
    }
    return { kind: 'custom', host };
  }
}

/** "Apollo.IN.localhost:8080." -> "apollo.in.localhost" */
export function normalizeHost(raw: string | undefined): string {
  return (raw ?? '').toLowerCase().replace(/:\d+$/, '').replace(/\.$/, '');
}
