import { Inject, Injectable } from '@nestjs/common';
import {
  ProvisionMembershipDto,
  ProvisionMembershipResult,
  ProvisionOrganizationDto,
  ProvisionOrganizationResult,
  SERVICE_TOKEN_HEADER,
} from '@medgenie/contracts';
import { ErrorCode, fail, failRegionRejected } from '../common/errors';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';
import { RegionsService } from '../regions/regions.service';
import type { RegionUsageReport } from '../usage/usage.types';

/** A limit of a plan that an org's usage is above, as the region counts it. */
export interface PlanOverage {
  key: string;
  max: number;
  usage: number;
}

/** The region could not be reached or failed on its side: the caller may retry later. */
const regionUnavailable = (regionId: string, detail: string) => fail(ErrorCode.RegionUnavailable, `Region ${regionId} is unavailable (${detail})`, 5);

/** Calls the regions' /internal routes with each region's own service credential and a timeout. */
@Injectable()
export class RegionalClient {
  constructor(
    private readonly regions: RegionsService,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
  ) {}

  private async baseUrl(regionId: string): Promise<string> {
    const override = this.config.regions.apiUrls[regionId];
    if (override) return override.replace(/\/$/, '');
    const url = await this.regions.apiUrl(regionId);
    if (!url) throw regionUnavailable(regionId, 'unknown region');
    return url.replace(/\/$/, '');
  }

  private async call<T>(regionId: string, method: string, path: string, body: unknown): Promise<T> {
    const token = this.config.regions.serviceTokens[regionId];
    if (!token) throw regionUnavailable(regionId, 'no service credential configured');
    let res: Response;
    try {
      res = await fetch(`${await this.baseUrl(regionId)}${path}`, {
        method,
        headers: { 'content-type': 'application/json', [SERVICE_TOKEN_HEADER]: token },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.config.regions.timeoutMs),
      });
    } catch (err) {
      throw regionUnavailable(regionId, (err as Error).name === 'TimeoutError' ? 'timed out' : 'unreachable');
    }
    const text = await res.text();
    if (res.status >= 500) throw regionUnavailable(regionId, `answered ${res.status}`);
    if (res.status >= 400) {
      let message = `answered ${res.status}`;
      let refusal: { message?: string; code?: string; limit?: unknown; usage?: unknown; exceeds?: unknown } = {};
      try {
        refusal = JSON.parse(text) as typeof refusal;
        message = refusal.message ?? message;
      } catch {
        // not JSON
      }
      // The region decides plan limits (a doctor is a doctor profile there): its refusal is the caller's.
      if (res.status === 402 && refusal.code === ErrorCode.PlanLimitReached) {
        throw fail(ErrorCode.PlanLimitReached, message, undefined, { limit: refusal.limit, usage: refusal.usage });
      }
      if (res.status === 409 && refusal.code === ErrorCode.PlanBelowUsage) {
        throw fail(ErrorCode.PlanBelowUsage, message, undefined, { exceeds: refusal.exceeds });
      }
      throw failRegionRejected(`Region ${regionId} refused: ${message}`, res.status);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  provisionOrganization(regionId: string, body: ProvisionOrganizationDto): Promise<ProvisionOrganizationResult> {
    return this.call(regionId, 'POST', '/internal/v1/organizations', body);
  }

  upsertMembership(regionId: string, orgId: string, userId: string, body: ProvisionMembershipDto): Promise<ProvisionMembershipResult> {
    return this.call(regionId, 'PUT', `/internal/v1/organizations/${orgId}/memberships/${userId}`, body);
  }

  /** With a plan, the region answers the limits the org is above (`overage`); `refuseBelowUsage` makes that a 409 PLAN_BELOW_USAGE. */
  updateOrganization(
    regionId: string,
    orgId: string,
    body: { name?: string; plan?: string; status?: string; refuseBelowUsage?: boolean; trialEndsAt?: string | null; paymentOverdueSince?: string | null },
  ): Promise<{ organizationId: string; overage?: PlanOverage[] }> {
    return this.call(regionId, 'PATCH', `/internal/v1/organizations/${orgId}`, body);
  }

  /** Sessions of the org's users that ended: the region refuses their access tokens from now on. */
  async endSessions(regionId: string, orgId: string, sessions: { sessionId: string; expiresAt: string }[]): Promise<void> {
    await this.call(regionId, 'POST', `/internal/v1/organizations/${orgId}/ended-sessions`, { sessions });
  }

  /**
   * Whether the region's API answers its readiness probe (`/readyz`: it touches the region's
   * database), and how fast; never throws.
   */
  async health(regionId: string): Promise<{ healthy: boolean; latencyMs: number | null; detail: string | null }> {
    const started = Date.now();
    try {
      const res = await fetch(`${await this.baseUrl(regionId)}/readyz`, { signal: AbortSignal.timeout(Math.min(this.config.regions.timeoutMs, 2_000)) });
      await res.arrayBuffer();
      return { healthy: res.ok, latencyMs: Date.now() - started, detail: res.ok ? null : `answered ${res.status}` };
    } catch (err) {
      return { healthy: false, latencyMs: null, detail: (err as Error).name === 'TimeoutError' ? 'timed out' : 'unreachable' };
    }
  }

  /** Per-org usage counts (no PHI) of up to 200 orgs, with their API requests on `date` (YYYY-MM-DD). */
  usage(regionId: string, orgIds: string[], date: string): Promise<RegionUsageReport> {
    const query = new URLSearchParams({ orgIds: orgIds.join(','), date });
    return this.call(regionId, 'GET', `/internal/v1/usage?${query}`, undefined);
  }
}
