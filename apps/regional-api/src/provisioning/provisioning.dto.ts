import { IsBoolean, IsIn, IsISO8601, IsOptional, IsString, Length, ValidateIf } from 'class-validator';
import { PLANS, Plan } from '@medgenie/contracts';

export const ORG_STATUSES = ['provisioning', 'active', 'suspended', 'deleting'] as const;

/** Registry changes the control plane pushes to the region's mirror. */
export class UpdateOrganizationMirrorDto {
  @IsOptional() @IsString() @Length(1, 200) name?: string;
  @IsOptional() @IsIn(PLANS) plan?: Plan;
  @IsOptional() @IsIn(ORG_STATUSES) status?: (typeof ORG_STATUSES)[number];
  /**
   * With a plan: refuse it (409 PLAN_BELOW_USAGE) when the org holds more than it allows. A
   * platform admin's change asks this; a sync of the registry's state (already decided) does not.
   */
  @IsOptional() @IsBoolean() refuseBelowUsage?: boolean;
  /** When the trial ends (ISO 8601), or null: none. Absent: unchanged, except that a plan other than trial clears it. */
  @ValidateIf((_, value) => value !== null && value !== undefined) @IsISO8601({ strict: true }) trialEndsAt?: string | null;
  /**
   * Dunning (issue 13): since when the subscription is unpaid (ISO 8601), which holds the org
   * read-only (402 PAYMENT_OVERDUE on writes) once its grace period is over; null lifts the hold (a
   * paid invoice). Absent: unchanged.
   */
  @ValidateIf((_, value) => value !== null && value !== undefined) @IsISO8601({ strict: true }) paymentOverdueSince?: string | null;
}
