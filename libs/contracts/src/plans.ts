/** Plan limits from seed 002 (null = unlimited). */
export const PLANS = ['trial', 'basic', 'premium', 'enterprise'] as const;
export type Plan = (typeof PLANS)[number];

export interface PlanLimits {
  maxDoctors: number | null;
  maxPatients: number | null;
  maxClinics: number | null;
  /** Stored files (dental attachments), in MiB. Seed 002 gives the trial's; the paid plans' are not limited yet. */
  maxStorageMb: number | null;
  trialDays: number | null;
}

export const PLAN_LIMITS: Record<Plan, PlanLimits> = {
  trial: { maxDoctors: 5, maxPatients: 1000, maxClinics: 1, maxStorageMb: 1000, trialDays: 30 },
  basic: { maxDoctors: 20, maxPatients: 10000, maxClinics: 3, maxStorageMb: null, trialDays: null },
  premium: { maxDoctors: 100, maxPatients: null, maxClinics: 10, maxStorageMb: null, trialDays: null },
  enterprise: { maxDoctors: null, maxPatients: null, maxClinics: null, maxStorageMb: null, trialDays: null },
};
