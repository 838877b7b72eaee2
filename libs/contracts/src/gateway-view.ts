/**
 * What each gateway reports of the regions it routes to, so that platform admins see a region's
 * health as the gateways see it (their breakers), not only as the control plane's own probe does.
 * Gateway -> control plane: `PUT /internal/v1/gateways/:gatewayId/view` after its probes (at
 * least every 2 s); a view not renewed expires, so a stopped gateway is soon no longer counted.
 */
export const GATEWAY_VIEW_TTL_MS = 10_000;
/** Where the control plane keeps the views when it has Redis (shared by its instances). */
export const GATEWAY_VIEW_PREFIX = 'mg:gateway-view:';
export const GATEWAY_ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
const REGION_ID = /^[a-z][a-z0-9-]{0,31}$/;
const MAX_REGIONS = 100;

/** One region as one gateway sees it. */
export interface GatewayRegionView {
  /** The breaker is closed: the gateway routes the region's requests. */
  routing: boolean;
  /** The region's readiness probe last answered 200 (its database answers). */
  ready: boolean;
  /** Consecutive probes without an answer in time. */
  probeFailures: number;
}

/** A gateway's report: when, and each region it routes to (by region id). */
export interface GatewayViewReport {
  at: string;
  regions: Record<string, GatewayRegionView>;
}

/** The regions of a report, copied field by field; null when anything in it is not what a gateway sends. */
export function parseGatewayRegions(value: unknown): Record<string, GatewayRegionView> | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_REGIONS) return null;
  const regions: Record<string, GatewayRegionView> = {};
  for (const [id, seen] of entries) {
    if (!REGION_ID.test(id) || typeof seen !== 'object' || seen === null) return null;
    const { routing, ready, probeFailures } = seen as Record<string, unknown>;
    if (typeof routing !== 'boolean' || typeof ready !== 'boolean' || !Number.isSafeInteger(probeFailures) || (probeFailures as number) < 0) return null;
    regions[id] = { routing, ready, probeFailures: probeFailures as number };
  }
  return regions;
}
