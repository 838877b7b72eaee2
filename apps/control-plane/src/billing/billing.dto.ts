import { IsIn, IsOptional } from 'class-validator';
import { BILLING_INTERVALS, BillingInterval, PLANS } from '@medgenie/contracts';

export class CheckoutDto {
  /** basic or premium (trial is free; enterprise is by contract). */
  @IsIn(PLANS) plan!: string;
  /** monthly (default) or yearly (ten months' price). */
  @IsOptional() @IsIn(BILLING_INTERVALS) interval?: BillingInterval;
}

export const REVENUE_KEYS = ['region', 'plan'] as const;

export class RevenueQuery {
  @IsIn(REVENUE_KEYS) by!: (typeof REVENUE_KEYS)[number];
}
