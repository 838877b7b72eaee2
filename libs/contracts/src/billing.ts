import type { Plan } from './plans';

/**
 * What customers can buy (seed 002, DESIGN §7): the paid self-serve plans, each priced in every
 * region's currency, monthly and yearly (ten months' price: two months free). Trial is free and
 * enterprise is priced by contract, so neither has a price to buy. Amounts are in the currency's
 * minor unit (paise, cents), as Stripe takes them.
 */
export const BILLING_INTERVALS = ['monthly', 'yearly'] as const;
export type BillingInterval = (typeof BILLING_INTERVALS)[number];

export const BILLING_CURRENCIES = ['inr', 'usd', 'cad'] as const;
export type BillingCurrency = (typeof BILLING_CURRENCIES)[number];

export const PURCHASABLE_PLANS = ['basic', 'premium'] as const;
export type PurchasablePlan = (typeof PURCHASABLE_PLANS)[number];

/** Monthly prices (seed 002 gives INR: ₹2,999 and ₹9,999); a year is ten months. */
const MONTHLY: Record<PurchasablePlan, Record<BillingCurrency, number>> = {
  basic: { inr: 299_900, usd: 4_900, cad: 6_500 },
  premium: { inr: 999_900, usd: 14_900, cad: 19_900 },
};

export interface CataloguePrice {
  plan: PurchasablePlan;
  currency: BillingCurrency;
  interval: BillingInterval;
  /** Minor units per interval. */
  unitAmount: number;
  lookupKey: string;
}

/** `<plan>_<currency>_<interval>`, e.g. `basic_inr_monthly` (the contract of DESIGN §9). */
export function priceLookupKey(plan: PurchasablePlan, currency: BillingCurrency, interval: BillingInterval): string {
  return `${plan}_${currency}_${interval}`;
}

/** The plan, currency and interval a lookup key names, or null for a key that is not ours. */
export function parsePriceLookupKey(key: string | null | undefined): { plan: PurchasablePlan; currency: BillingCurrency; interval: BillingInterval } | null {
  const m = /^([a-z]+)_([a-z]{3})_(monthly|yearly)$/.exec(key ?? '');
  if (!m) return null;
  const [, plan, currency, interval] = m;
  if (!(PURCHASABLE_PLANS as readonly string[]).includes(plan) || !(BILLING_CURRENCIES as readonly string[]).includes(currency)) return null;
  return { plan: plan as PurchasablePlan, currency: currency as BillingCurrency, interval: interval as BillingInterval };
}

export function isPurchasablePlan(plan: string): plan is PurchasablePlan {
  return (PURCHASABLE_PLANS as readonly string[]).includes(plan);
}

/** Every price of the catalogue. */
export const CATALOGUE_PRICES: readonly CataloguePrice[] = PURCHASABLE_PLANS.flatMap((plan) =>
  BILLING_CURRENCIES.flatMap((currency) =>
    BILLING_INTERVALS.map((interval) => ({
      plan,
      currency,
      interval,
      unitAmount: MONTHLY[plan][currency] * (interval === 'yearly' ? 10 : 1),
      lookupKey: priceLookupKey(plan, currency, interval),
    })),
  ),
);

/** The catalogue price of a plan in a currency, or undefined (trial, enterprise). */
export function cataloguePrice(plan: Plan, currency: string, interval: BillingInterval): CataloguePrice | undefined {
  return CATALOGUE_PRICES.find((p) => p.plan === plan && p.currency === currency.toLowerCase() && p.interval === interval);
}

/** Monthly recurring revenue of a subscription at `unitAmount` per `interval`, in minor units. */
export function monthlyRecurring(unitAmount: number, interval: BillingInterval, quantity = 1): number {
  return Math.round((unitAmount * quantity) / (interval === 'yearly' ? 12 : 1));
}
