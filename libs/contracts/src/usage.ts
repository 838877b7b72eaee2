/** What a region counts of one organization: counts only, never patient data. */
export interface UsageCounts {
  doctors: number;
  patients: number;
  clinics: number;
  staff: number;
  storageBytes: number;
}

/** One organization's usage in a region's report (`GET /internal/v1/usage`). */
export interface OrgUsage extends UsageCounts {
  orgId: string;
  /** API requests on `date` (UTC). */
  apiRequests: { date: string; count: number };
}

/** A region's usage report, the control plane's input for history and analytics. */
export interface UsageReport {
  regionId: string;
  date: string;
  organizations: OrgUsage[];
  /** Asked for but not held in this region. */
  unknown: string[];
}
