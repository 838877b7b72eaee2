import type Redis from 'ioredis';
import type { GatewayConfig } from './config';
import type { RegionDirectory } from './regions';

export interface OrgEntry {
  organizationId: string;
  slug: string;
  regionId: string;
  status: string;
  plan: string;
  hostRegionId: string | null;
}

interface Cached {
  value: OrgEntry | null;
  expires: number;
}

export class RegistryUnavailableError extends Error {}

export const REGISTRY_CHANNEL = 'medgenie:registry';
const key = (host: string) => `mg:gw:host:${host}`;

/**
 * host -> organization, from the control plane's registry, cached in process and in Redis,
 * with negative caching of unknown hosts. Change events from the control plane drop entries.
 * Expired entries keep serving while they are refreshed in the background, and for as long as
 * the control plane is down (stale beats down).
 */
export class OrgRegistry {
  private readonly local = new Map<string, Cached>();
  /** True once change events arrive (Redis subscription made). */
  listening = false;

  constructor(
    private readonly config: GatewayConfig,
    private readonly regions: RegionDirectory,
    private readonly redis: Redis | null,
  ) {}

  /** Listens for the control plane's change events on a separate Redis connection. */
  subscribe(subscriber: Redis): void {
    let connectedBefore = false;
    // (Re)subscribe whenever the connection is ready. Events may have been missed while it was
    // down, so a reconnect also forgets what this instance had cached.
    subscriber.on('ready', () => {
      if (connectedBefore) this.local.clear();
      connectedBefore = true;
      subscriber
        .subscribe(REGISTRY_CHANNEL)
        .then(() => (this.listening = true))
        .catch(() => undefined);
    });
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== REGISTRY_CHANNEL) return; // the subscription carries other channels too
      try {
        const event = JSON.parse(message) as { organizationId?: string; slug?: string; domains?: unknown };
        const domains = Array.isArray(event.domains) ? event.domains.filter((d): d is string => typeof d === 'string') : [];
        void this.invalidate(event.organizationId, event.slug, domains);
      } catch {
        // not ours
      }
    });
  }

  async invalidate(organizationId?: string, slug?: string, domains: readonly string[] = []): Promise<void> {
    const hosts = new Set<string>([...(slug ? this.regions.hostsForSlug(slug) : []), ...domains.map((d) => d.toLowerCase())]);
    for (const [host, cached] of this.local) {
      if (cached.value?.organizationId === organizationId || hosts.has(host)) hosts.add(host);
    }
    for (const host of hosts) this.local.delete(host);
    this.generation += 1; // a lookup already under way may carry the old state: it is not kept
    if (this.redis && hosts.size) await this.redis.del(...[...hosts].map(key)).catch(() => undefined);
  }

  /**
   * The org a host belongs to. A fresh cache entry answers at once; an expired one answers at
   * once too, and is refreshed in the background (stale-while-revalidate), so no request of a
   * known org ever waits on the control plane. Only a host never seen waits for the lookup
   * (one lookup per host however many requests ask at once).
   */
  async resolve(host: string): Promise<OrgEntry | null> {
    const hit = this.local.get(host);
    if (hit) {
      if (hit.expires <= Date.now()) void this.refresh(host).catch(() => undefined);
      return hit.value;
    }
    return this.refresh(host);
  }

  private readonly inFlight = new Map<string, Promise<OrgEntry | null>>();
  private generation = 0;

  private refresh(host: string): Promise<OrgEntry | null> {
    let pending = this.inFlight.get(host);
    if (!pending) {
      pending = this.fetchEntry(host).finally(() => this.inFlight.delete(host));
      this.inFlight.set(host, pending);
    }
    return pending;
  }

  private async fetchEntry(host: string): Promise<OrgEntry | null> {
    const generation = this.generation;
    if (this.redis) {
      const shared = await this.redis.get(key(host)).catch(() => undefined);
      if (shared !== undefined && shared !== null) {
        const value = JSON.parse(shared) as OrgEntry | null;
        if (generation === this.generation) this.remember(host, value);
        return value;
      }
    }
    const value = await this.lookup(host);
    if (generation !== this.generation) return value;
    this.remember(host, value);
    if (this.redis) {
      const ttl = value ? this.config.cache.ttlMs : this.config.cache.negativeTtlMs;
      // Shared for the other instances; the request does not wait for it (Redis may hang).
      if (ttl > 0) void this.redis.set(key(host), JSON.stringify(value), 'PX', ttl).catch(() => undefined);
    }
    return value;
  }

  private remember(host: string, value: OrgEntry | null): void {
    const ttl = value ? this.config.cache.ttlMs : this.config.cache.negativeTtlMs;
    if (this.local.size > 100_000) this.local.clear();
    this.local.set(host, { value, expires: Date.now() + ttl });
  }

  private async lookup(host: string): Promise<OrgEntry | null> {
    let res: Response;
    try {
      res = await fetch(`${this.config.controlPlane.url}/internal/v1/registry/lookup?host=${encodeURIComponent(host)}`, {
        headers: { 'x-service-token': this.config.controlPlane.serviceToken },
        signal: AbortSignal.timeout(this.config.controlPlane.timeoutMs),
      });
    } catch {
      throw new RegistryUnavailableError('control plane unreachable');
    }
    if (res.status === 404 || res.status === 400) {
      await res.arrayBuffer();
      return null;
    }
    if (!res.ok) throw new RegistryUnavailableError(`control plane answered ${res.status}`);
    return (await res.json()) as OrgEntry;
  }
}
