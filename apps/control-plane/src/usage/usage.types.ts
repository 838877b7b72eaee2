import type { UsageCounts } from '@medgenie/contracts';

export type { OrgUsage as RegionOrgUsage, UsageReport as RegionUsageReport } from '@medgenie/contracts';

/** A day of an organization's usage, as the control plane keeps it. */
export interface UsageDay extends UsageCounts {
  date: string;
  regionId: string;
  plan: string;
  apiRequests: number;
  collectedAt: string;
}

export interface UsageAggregate extends UsageCounts {
  key: string;
  organizations: number;
  apiRequests: number;
}
