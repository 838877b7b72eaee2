import Stripe from 'stripe';
import { syncCatalogue } from './billing/catalogue';
import { stripeOptions } from './billing/stripe.provider';

/**
 * `npm run billing:catalogue`: creates MedGenie's products and prices in the Stripe account of
 * STRIPE_SECRET_KEY (idempotently, by lookup key; a second run creates nothing). STRIPE_API_BASE
 * points it elsewhere (a local stand-in). Prints what it created and what it kept.
 */
async function main(): Promise<void> {
  const key = process.env.STRIPE_SECRET_KEY;
  if (!key || !/^(sk|rk)_(test|live)_/.test(key)) {
    process.stderr.write('STRIPE_SECRET_KEY must be set to a Stripe secret key (sk_test_… to try it in test mode)\n');
    process.exit(78);
  }
  const stripe = new Stripe(key, stripeOptions(process.env.STRIPE_API_BASE));
  const result = await syncCatalogue(stripe, (line) => process.stdout.write(`${line}\n`));
  const created = result.products.filter((p) => p.created).length + result.prices.filter((p) => p.created).length;
  process.stdout.write(`catalogue: ${result.products.length} products, ${result.prices.length} prices; ${created} created\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`billing catalogue failed: ${err.message}\n`);
  process.exit(1);
});
