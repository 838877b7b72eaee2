import type Stripe from 'stripe';
import { CATALOGUE_PRICES, PLAN_LIMITS, PurchasablePlan } from '@medgenie/contracts';

export interface CatalogueSyncResult {
  products: { plan: PurchasablePlan; id: string; created: boolean }[];
  prices: { lookupKey: string; id: string; created: boolean }[];
}

const PRODUCT_NAMES: Record<PurchasablePlan, string> = { basic: 'MedGenie Basic', premium: 'MedGenie Premium' };

function describeLimits(plan: PurchasablePlan): string {
  const l = PLAN_LIMITS[plan];
  const n = (v: number | null, what: string) => (v === null ? `unlimited ${what}` : `${v.toLocaleString('en')} ${what}`);
  return `${n(l.maxDoctors, 'doctors')}, ${n(l.maxPatients, 'patients')}, ${n(l.maxClinics, 'clinics')}`;
}

/**
 * Creates MedGenie's products and prices in a Stripe account, idempotently: a product per paid plan
 * (found by `metadata.plan`), a price per plan, currency and interval (found by its lookup key,
 * `<plan>_<currency>_<interval>`). What exists is left as it is, so a second run creates nothing; a
 * price whose amount was changed in Stripe is reported, not replaced (prices are immutable there).
 */
export async function syncCatalogue(stripe: Stripe, log: (line: string) => void = () => undefined): Promise<CatalogueSyncResult> {
  const result: CatalogueSyncResult = { products: [], prices: [] };
  const existingProducts = new Map<string, Stripe.Product>();
  for await (const product of stripe.products.list({ limit: 100 })) {
    const plan = product.metadata?.plan;
    if (plan && product.metadata?.app === 'medgenie' && !existingProducts.has(plan)) existingProducts.set(plan, product);
  }
  const productIds = new Map<PurchasablePlan, string>();
  for (const plan of ['basic', 'premium'] as const) {
    let product = existingProducts.get(plan);
    const created = !product;
    product ??= await stripe.products.create(
      { name: PRODUCT_NAMES[plan], description: describeLimits(plan), metadata: { app: 'medgenie', plan } },
      { idempotencyKey: `medgenie-product-${plan}` },
    );
    productIds.set(plan, product.id);
    result.products.push({ plan, id: product.id, created });
    log(`${created ? 'created' : 'kept   '} product ${plan}: ${product.id}`);
  }
  const lookupKeys = CATALOGUE_PRICES.map((p) => p.lookupKey);
  const existingPrices = new Map<string, Stripe.Price>();
  // Stripe filters lookup keys ten at a time.
  for (let i = 0; i < lookupKeys.length; i += 10) {
    const page = await stripe.prices.list({ lookup_keys: lookupKeys.slice(i, i + 10), limit: 100 });
    for (const price of page.data) if (price.lookup_key) existingPrices.set(price.lookup_key, price);
  }
  for (const wanted of CATALOGUE_PRICES) {
    const existing = existingPrices.get(wanted.lookupKey);
    if (existing) {
      if (existing.unit_amount !== wanted.unitAmount || existing.currency !== wanted.currency) {
        log(`WARNING price ${wanted.lookupKey} (${existing.id}) is ${existing.unit_amount} ${existing.currency}, the catalogue says ${wanted.unitAmount} ${wanted.currency}: left as it is`);
      }
      result.prices.push({ lookupKey: wanted.lookupKey, id: existing.id, created: false });
      log(`kept    price ${wanted.lookupKey}: ${existing.id}`);
      continue;
    }
    const price = await stripe.prices.create(
      {
        product: productIds.get(wanted.plan)!,
        currency: wanted.currency,
        unit_amount: wanted.unitAmount,
        recurring: { interval: wanted.interval === 'yearly' ? 'year' : 'month' },
        lookup_key: wanted.lookupKey,
        nickname: `${PRODUCT_NAMES[wanted.plan]}, ${wanted.interval}, ${wanted.currency.toUpperCase()}`,
        metadata: { app: 'medgenie', plan: wanted.plan, interval: wanted.interval },
      },
      { idempotencyKey: `medgenie-price-${wanted.lookupKey}-${wanted.unitAmount}` },
    );
    result.prices.push({ lookupKey: wanted.lookupKey, id: price.id, created: true });
    log(`created price ${wanted.lookupKey}: ${price.id}`);
  }
  return result;
}
