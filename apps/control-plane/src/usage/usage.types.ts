/** One organization's counts as a region reports them (DESIGN §9 has no PHI in it: counts only). */
export interface RegionOrgUsage {
  orgId: string;
  doctors: number;
  patients: number;
  clinics: number;
  staff: number;
  storageBytes: number;
  apiRequests: { date: string; count: number };
}

export interface RegionUsageReport {
  regionId: string;
  date: string;
  organizations: RegionOrgUsage[];
  unknown: string[];
}

/** A day of an organization's usage, as the control plane keeps it. */
export interface UsageDay {
  date: string;
  regionId: string;
  plan: string;
  doctors: number;
  patients: number;
  clinics: number;
  staff: number;
  storageBytes: number;
  apiRequests: number;
  collectedAt: string;
}

export interface UsageAggregate {
  key: string;
  organizations: number;
  doctors: number;
  patients: number;
  clinics: number;
  staff: number;
  storageBytes: number;
  apiRequests: number;
}
