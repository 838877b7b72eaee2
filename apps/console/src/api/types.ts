/** What the control plane answers, as the console reads it (README "Control plane"; no PHI anywhere). */

export const PLANS = ['trial', 'basic', 'premium', 'enterprise'] as const;
export type Plan = (typeof PLANS)[number];
export const ORG_STATUSES = ['provisioning', 'active', 'suspended', 'deleting'] as const;
export type OrgStatus = (typeof ORG_STATUSES)[number];

export interface Region {
  id: string;
  name: string;
  domain: string;
  localDomain: string;
  languages: string[];
  defaultLanguage: string;
  currency: string;
  timezone: string;
  complianceFramework: string;
  dataCenter: string;
  status: string;
}

/** A region as platform admins see it (GET /v1/admin/regions). */
export interface RegionOverview extends Region {
  /** Its readiness probe as the control plane saw it (at most 5 s ago); null for a retired region. */
  health: { healthy: boolean; latencyMs: number | null; detail: string | null; checkedAt: string } | null;
  /** As the gateways report seeing it (their breakers); null when their reports cannot be read. */
  gateways: { reporting: number; routing: number; ready: number } | null;
  organizations: { total: number; byStatus: Record<string, number>; byPlan: Record<string, number> };
  /** The latest collected day's usage, summed. */
  usage: Omit<UsageHistoryDay, 'key'> | null;
  /** Monthly recurring revenue on that day, per currency, in minor units. */
  revenue: { currency: string; organizations: number; mrr: number }[];
}

export interface Organization {
  id: string;
  slug: string;
  name: string;
  regionId: string;
  plan: Plan;
  status: OrgStatus;
  primaryClinicName?: string;
  trialEndsAt: string | null;
  suspendedAt: string | null;
  suspensionReason: string | null;
  paymentOverdueSince: string | null;
  regionSyncPending?: boolean;
  createdAt: string;
  updatedAt: string;
  /** Members counted by role and status (GET /v1/admin/organizations/:id only; never who they are). */
  members?: { active: number; inactive: number; byRole: Record<string, number> };
  /** Its plan's limits (GET /v1/admin/organizations/:id only); null: no limit. */
  limits?: PlanLimits | null;
}

export interface PlanLimits {
  maxDoctors: number | null;
  maxPatients: number | null;
  maxClinics: number | null;
  maxStorageMb: number | null;
}

export interface OrganizationPage {
  items: Organization[];
  total: number;
  limit: number;
  offset: number;
}

export interface StatusChange extends Organization {
  regionSynced: boolean;
  changed?: boolean;
}

export interface PlanOverage {
  key: string;
  usage: number;
  max: number;
}

export interface PlanChange extends Organization {
  regionSynced: boolean;
  overage?: PlanOverage[];
}

export interface CustomDomain {
  domain: string;
  verified: boolean;
  verifiedAt: string | null;
  /** What the organization publishes to prove it holds the domain. */
  txtRecord?: { type: 'TXT'; name: string; value: string };
}

export interface UsageCounts {
  doctors: number;
  patients: number;
  clinics: number;
  staff: number;
  storageBytes: number;
  apiRequests: number;
}

export interface UsageDay extends UsageCounts {
  date: string;
  regionId: string;
  plan: string;
}

export interface OrganizationUsage {
  latest: UsageDay | null;
  series: UsageDay[];
  /** The counts now, asked of the org's region (today's requests so far); null when it did not answer. */
  current: (UsageCounts & { at: string }) | null;
  currentUnavailable: string | null;
}

/** A day of a region's (or plan's) sums. */
export interface UsageHistoryDay extends UsageAggregate {
  date: string;
}

/** A day of a region's (or plan's) monthly recurring revenue in one currency (minor units). */
export interface RevenueDay {
  date: string;
  key: string;
  currency: string;
  organizations: number;
  mrr: number;
}

export interface UsageHistory {
  by: 'region' | 'plan';
  from: string;
  to: string;
  usage: UsageHistoryDay[];
  revenue: RevenueDay[];
}

export interface UsageAggregate extends UsageCounts {
  key: string;
  organizations: number;
}

export interface UsageAggregates {
  by: 'region' | 'plan';
  date: string;
  groups: UsageAggregate[];
}

export interface OrganizationBilling {
  organizationId: string;
  plan: Plan;
  status: OrgStatus;
  currency: string;
  customerId: string | null;
  subscription: {
    status: string | null;
    lookupKey: string | null;
    interval: string | null;
    currency: string | null;
    mrr: number | null;
    renewsAt: string | null;
    endsAt: string | null;
    cancelAtPeriodEnd: boolean;
  } | null;
  dunning: { status: string; paymentFailedAt: string | null; graceEndsAt: string | null; heldAt: string | null; paymentOverdueSince: string | null };
  /** False where Stripe is not configured: state and history only, no invoices. */
  billingConfigured: boolean;
  invoices: Invoice[];
  /** Why the invoices could not be listed (Stripe did not answer), else null. */
  invoicesUnavailable: string | null;
  history: { occurredAt: string; action: string; details: Record<string, unknown> }[];
}

export interface Invoice {
  id: string | null;
  number: string | null;
  status: string | null;
  currency: string;
  amountDue: number;
  amountPaid: number;
  created: string;
  hostedInvoiceUrl: string | null;
  pdfUrl: string | null;
}

export type FlagContextField = 'regionId' | 'orgId' | 'clinicId' | 'plan';

export interface FlagConstraint {
  contextName: FlagContextField;
  operator: 'IN' | 'NOT_IN';
  values: string[];
}

export interface Flag {
  name: string;
  description: string;
  enabled: boolean;
  strategies: { constraints: FlagConstraint[] }[];
  createdAt: string;
  updatedAt: string;
}

/** Which organizations a flag definition reaches (POST /v1/admin/flags/preview). */
export interface FlagReach {
  reached: number;
  total: number;
  byRegion: Record<string, number>;
  byPlan: Record<string, number>;
  dependsOnClinic: boolean;
  organizations: { id: string; slug: string; regionId: string; plan: string; status: string }[];
}

export interface AuditEvent {
  id: string;
  occurredAt: string;
  actorUserId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  details: Record<string, string | number | boolean | null>;
}

export interface SignupBody {
  organizationName: string;
  slug: string;
  regionId: string;
  adminName: string;
  adminEmail: string;
  adminPassword: string;
  clinicName: string;
}

/** 201 (active), 202 `status: provisioning` (the region finishes it later) or 202 `status: check_your_email`. */
export interface SignupResult {
  organizationId?: string;
  status?: string;
  accessToken?: string;
  refreshToken?: string;
}

/** What `POST /v1/auth/login` answers: tokens, or the next step of two-step verification. */
export type LoginResult =
  | { accessToken: string; refreshToken: string; mfaRequired?: undefined; mfaEnrollmentRequired?: undefined }
  | { mfaRequired: true; challengeToken: string; expiresIn: number }
  | { mfaEnrollmentRequired: true; enrollmentToken: string };

/** A new (pending) secret: base32 to type by hand, and the otpauth:// address for a QR code. */
export interface MfaSetup {
  secret: string;
  otpauthUri: string;
}

export interface MfaStatus {
  enabled: boolean;
  /** Cannot be turned off (required for platform admins, or by the org). */
  required: boolean;
  recoveryCodesLeft: number;
}

/** One of the three proofs that turn MFA off. */
export type MfaProof = { code: string } | { recoveryCode: string } | { password: string };

export interface TokenPairResult {
  accessToken: string;
  refreshToken: string;
}
