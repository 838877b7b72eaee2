import Stripe from 'stripe';
import { signedWebhook, StripeStandIn } from './stripe-stand-in';

const PLANS = [
  { lookupKey: 'clinic_monthly_inr', product: 'MedGenie Clinic', currency: 'INR', amount: 4_999_00, interval: 'month' as const },
  { lookupKey: 'clinic_yearly_inr', product: 'MedGenie Clinic', currency: 'INR', amount: 49_990_00, interval: 'year' as const },
  { lookupKey: 'clinic_monthly_usd', product: 'MedGenie Clinic', currency: 'USD', amount: 79_00, interval: 'month' as const },
];

/** What the control plane's catalogue sync does: find prices by lookup key, create only the missing ones. */
async function syncCatalogue(stripe: Stripe): Promise<Stripe.Price[]> {
  const existing = await stripe.prices.list({ lookup_keys: PLANS.map((plan) => plan.lookupKey), expand: ['data.product'] });
  const prices = [...existing.data];
  for (const plan of PLANS.filter((p) => !existing.data.some((price) => price.lookup_key === p.lookupKey))) {
    const found = await stripe.products.list({ active: true, limit: 100 });
    const product = found.data.find((p) => p.name === plan.product) ?? (await stripe.products.create({ name: plan.product, metadata: { catalogue: 'medgenie' } }));
    prices.push(
      await stripe.prices.create({
        product: product.id,
        currency: plan.currency,
        unit_amount: plan.amount,
        recurring: { interval: plan.interval },
        lookup_key: plan.lookupKey,
        tax_behavior: 'inclusive',
        metadata: { plan: plan.lookupKey },
      }),
    );
  }
  return prices;
}

/** The error a promise rejects with. */
async function failure(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (error) {
    return error as Stripe.errors.StripeError;
  }
  throw new Error('expected the request to fail');
}

describe('StripeStandIn', () => {
  const standIn = new StripeStandIn();
  let stripe: Stripe;

  beforeAll(async () => {
    await standIn.start();
    stripe = standIn.client();
  });
  afterEach(() => standIn.reset());
  afterAll(() => standIn.stop());

  it('creates products and prices idempotently by lookup key', async () => {
    const first = await syncCatalogue(stripe);
    expect(first.map((price) => price.lookup_key).sort()).toEqual(PLANS.map((plan) => plan.lookupKey).sort());
    expect(standIn.products.size).toBe(1);
    expect(standIn.prices.size).toBe(3);

    const monthly = first.find((price) => price.lookup_key === 'clinic_monthly_inr')!;
    expect(monthly).toMatchObject({ object: 'price', currency: 'inr', unit_amount: 4_999_00, type: 'recurring', active: true, livemode: false, tax_behavior: 'inclusive' });
    expect(monthly.id).toMatch(/^price_/);
    expect(monthly.recurring).toMatchObject({ interval: 'month', interval_count: 1 });
    expect(String(monthly.unit_amount_decimal)).toBe('499900');
    const create = standIn.requests.find((r) => r.method === 'POST' && r.path === '/v1/prices')!;
    expect(create.body).toMatchObject({ recurring: { interval: 'month' }, lookup_key: 'clinic_monthly_inr', metadata: { plan: 'clinic_monthly_inr' } });
    expect(create.stripeVersion).toBe('2026-10-28.endive');
    expect(create.idempotencyKey).toMatch(/^stripe-node-retry-/);

    standIn.requests.splice(0);
    const second = await syncCatalogue(stripe);
    expect(second.map((price) => price.id).sort()).toEqual(first.map((price) => price.id).sort());
    expect(standIn.requests.filter((r) => r.method === 'POST')).toEqual([]);
    expect(standIn.requests[0].query).toMatchObject({ lookup_keys: PLANS.map((plan) => plan.lookupKey), expand: ['data.product'] });
    expect(second[0].product).toMatchObject({ object: 'product', name: 'MedGenie Clinic', metadata: { catalogue: 'medgenie' } });
  });

  it('refuses a taken lookup key unless it is transferred', async () => {
    const product = await stripe.products.create({ name: 'Clinic', description: 'One clinic' });
    const old = await stripe.prices.create({ product: product.id, currency: 'inr', unit_amount: 100, recurring: { interval: 'month' }, lookup_key: 'clinic' });

    const refused = await failure(stripe.prices.create({ product: product.id, currency: 'inr', unit_amount: 200, recurring: { interval: 'month' }, lookup_key: 'clinic' }));
    expect(refused).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(refused).toMatchObject({ statusCode: 400, param: 'lookup_key' });
    expect(standIn.prices.size).toBe(1);

    const moved = await stripe.prices.create({ product: product.id, currency: 'inr', unit_amount: 200, recurring: { interval: 'month' }, lookup_key: 'clinic', transfer_lookup_key: true });
    expect(moved.lookup_key).toBe('clinic');
    expect((await stripe.prices.retrieve(old.id)).lookup_key).toBeNull();
    const clash = await failure(stripe.prices.update(old.id, { lookup_key: 'clinic', nickname: 'clash' }));
    expect(clash).toMatchObject({ statusCode: 400, param: 'lookup_key' });
    expect(standIn.prices.get(old.id)!.nickname).toBeNull(); // a refused update changes nothing
    const listed = await stripe.prices.list({ lookup_keys: ['clinic'] });
    expect(listed.data.map((price) => price.id)).toEqual([moved.id]);

    const retired = await stripe.prices.update(old.id, { active: false, nickname: 'retired', metadata: { replacedBy: moved.id } });
    expect(retired).toMatchObject({ active: false, nickname: 'retired', metadata: { replacedBy: moved.id } });
    expect((await stripe.prices.list({ active: true, product: product.id, currency: 'INR' })).data.map((price) => price.id)).toEqual([moved.id]);

    const renamed = await stripe.products.update(product.id, { name: 'Clinic plan', metadata: { tier: 'clinic' } });
    expect(renamed).toMatchObject({ name: 'Clinic plan', description: 'One clinic', metadata: { tier: 'clinic' } });
    expect((await stripe.products.retrieve(product.id)).name).toBe('Clinic plan');
  });

  it('pages lists newest first', async () => {
    const created = [];
    for (const name of ['a', 'b', 'c']) created.push(await stripe.products.create({ name }));
    const page = await stripe.products.list({ limit: 2 });
    expect(page).toMatchObject({ object: 'list', has_more: true, url: '/v1/products' });
    expect(page.data.map((p) => p.name)).toEqual(['c', 'b']);
    const rest = await stripe.products.list({ limit: 2, starting_after: page.data[1].id });
    expect(rest.data.map((p) => p.name)).toEqual(['a']);
    expect(rest.has_more).toBe(false);
    const all = await stripe.products.list({ limit: 1 }).autoPagingToArray({ limit: 10 });
    expect(all.map((p) => p.name)).toEqual(['c', 'b', 'a']);
  });

  it('creates customers and finds them by metadata', async () => {
    const customer = await stripe.customers.create({
      name: 'Sunrise Clinic',
      email: 'billing@sunrise.test',
      metadata: { organizationId: 'org_1' },
      preferred_locales: ['en-IN', 'hi'],
      address: { country: 'IN', city: 'Pune' },
    });
    expect(customer).toMatchObject({ object: 'customer', preferred_locales: ['en-IN', 'hi'], address: { country: 'IN', city: 'Pune', line1: null } });
    expect(customer.id).toMatch(/^cus_/);
    expect(standIn.requests.at(-1)!.body).toMatchObject({ preferred_locales: ['en-IN', 'hi'], metadata: { organizationId: 'org_1' } });
    await stripe.customers.create({ name: 'Other', metadata: { organizationId: 'org_2' } });

    const found = await stripe.customers.search({ query: "metadata['organizationId']:'org_1'" });
    expect(found).toMatchObject({ object: 'search_result', has_more: false, next_page: null });
    expect(found.data.map((c) => c.id)).toEqual([customer.id]);
    expect((await stripe.customers.search({ query: "metadata['organizationId']:'org_3'" })).data).toEqual([]);

    const updated = await stripe.customers.update(customer.id, { email: 'accounts@sunrise.test', metadata: { organizationId: '' } });
    expect(updated).toMatchObject({ email: 'accounts@sunrise.test', name: 'Sunrise Clinic', metadata: {} });
    expect((await stripe.customers.retrieve(customer.id)) as Stripe.Customer).toMatchObject({ email: 'accounts@sunrise.test' });
  });

  it('opens a checkout session in the price currency and records what was sent', async () => {
    const product = await stripe.products.create({ name: 'Clinic' });
    const price = await stripe.prices.create({ product: product.id, currency: 'INR', unit_amount: 4_999_00, recurring: { interval: 'month' } });
    const customer = await stripe.customers.create({ name: 'Sunrise Clinic' });

    const session = await stripe.checkout.sessions.create({
      mode: 'subscription',
      customer: customer.id,
      line_items: [{ price: price.id, quantity: 2 }],
      success_url: 'https://console.medgenie.test/billing?done=1',
      cancel_url: 'https://console.medgenie.test/billing',
      client_reference_id: 'org_1',
      metadata: { organizationId: 'org_1' },
      subscription_data: { metadata: { organizationId: 'org_1', plan: 'clinic' } },
      allowed_payment_method_types: ['card', 'upi'],
      locale: 'en',
      allow_promotion_codes: true,
    });
    expect(session).toMatchObject({
      object: 'checkout.session',
      mode: 'subscription',
      customer: customer.id,
      currency: 'inr',
      amount_total: 9_998_00,
      allowed_payment_method_types: ['card', 'upi'],
      payment_method_types: ['card', 'upi'],
      status: 'open',
      subscription: null,
      client_reference_id: 'org_1',
      metadata: { organizationId: 'org_1' },
    });
    expect(session.id).toMatch(/^cs_test_/);
    expect(session.url).toBe(`${standIn.apiBase}/checkout/${session.id}`);

    const stored = standIn.checkoutSessions.get(session.id)!;
    expect(stored.subscription_data).toEqual({ metadata: { organizationId: 'org_1', plan: 'clinic' } });
    expect(stored.line_items).toEqual([{ price: price.id, quantity: '2' }]);
    expect(standIn.requests.at(-1)!.body).toMatchObject({ subscription_data: { metadata: { organizationId: 'org_1' } } });

    const again = await stripe.checkout.sessions.retrieve(session.id);
    expect(again).toMatchObject({ id: session.id, amount_total: 9_998_00 });
    expect(again).not.toHaveProperty('subscription_data');

    const noPrice = await failure(stripe.checkout.sessions.create({ mode: 'subscription', line_items: [{ price: 'price_missing', quantity: 1 }] }));
    expect(noPrice).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'line_items[0][price]' });
    const noCustomer = await failure(stripe.checkout.sessions.create({ mode: 'subscription', customer: 'cus_missing', line_items: [{ price: price.id }] }));
    expect(noCustomer).toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'customer' });
    const dropped = await failure(stripe.rawRequest('POST', '/v1/checkout/sessions', { mode: 'subscription', line_items: [{ price: price.id }], payment_method_types: ['card'] }));
    expect(dropped).toMatchObject({ statusCode: 400, code: 'parameter_unknown', param: 'payment_method_types' });
    const noMode = await failure(stripe.checkout.sessions.create({ line_items: [{ price: price.id }] }));
    expect(noMode).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'mode' });
  });

  it('opens a customer portal session', async () => {
    const customer = await stripe.customers.create({ name: 'Sunrise Clinic' });
    const portal = await stripe.billingPortal.sessions.create({ customer: customer.id, return_url: 'https://console.medgenie.test/billing' });
    expect(portal).toMatchObject({ object: 'billing_portal.session', customer: customer.id, return_url: 'https://console.medgenie.test/billing' });
    expect(portal.id).toMatch(/^bps_/);
    expect(portal.url).toContain(standIn.apiBase);
  });

  it('lists and updates subscriptions, lists invoices and previews the next one', async () => {
    const product = await stripe.products.create({ name: 'Clinic' });
    const monthly = await stripe.prices.create({ product: product.id, currency: 'inr', unit_amount: 4_999_00, recurring: { interval: 'month' } });
    const yearly = await stripe.prices.create({ product: product.id, currency: 'inr', unit_amount: 49_990_00, recurring: { interval: 'year' } });
    const customer = await stripe.customers.create({ name: 'Sunrise Clinic' });
    const periodEnd = Math.floor(Date.UTC(2027, 0, 1) / 1000);
    const added = standIn.addSubscription({ customer: customer.id, price: monthly.id, metadata: { organizationId: 'org_1' }, currentPeriodEnd: periodEnd });
    standIn.addSubscription({ customer: customer.id, price: monthly.id, status: 'canceled' });

    const subscription = await stripe.subscriptions.retrieve(added.id);
    expect(subscription).toMatchObject({ object: 'subscription', status: 'active', customer: customer.id, metadata: { organizationId: 'org_1' }, cancel_at_period_end: false });
    expect(subscription.items.data[0]).toMatchObject({ object: 'subscription_item', current_period_end: periodEnd, price: { id: monthly.id, unit_amount: 4_999_00 } });
    expect(subscription).not.toHaveProperty('current_period_end');

    expect((await stripe.subscriptions.list({ customer: customer.id })).data.map((s) => s.id)).toEqual([added.id]);
    expect((await stripe.subscriptions.list({ customer: customer.id, status: 'all' })).data).toHaveLength(2);

    const preview = await stripe.invoices.createPreview({ customer: customer.id, subscription: added.id });
    expect(preview.id).toMatch(/^upcoming_in_/);
    expect(preview).toMatchObject({ amount_due: 4_999_00, currency: 'inr', period_end: periodEnd, next_payment_attempt: periodEnd + 3600 });
    expect(preview.lines.data[0]).toMatchObject({ amount: 4_999_00, period: { start: periodEnd } });

    const upgraded = await stripe.subscriptions.update(added.id, {
      items: [{ id: subscription.items.data[0].id, price: yearly.id }],
      proration_behavior: 'create_prorations',
      metadata: { plan: 'yearly' },
    });
    expect(upgraded.items.data[0].price.id).toBe(yearly.id);
    expect(upgraded.metadata).toEqual({ organizationId: 'org_1', plan: 'yearly' });
    expect(standIn.requests.at(-1)!.body).toMatchObject({ items: [{ id: subscription.items.data[0].id, price: yearly.id }], proration_behavior: 'create_prorations' });

    const cancelling = await stripe.subscriptions.update(added.id, { cancel_at_period_end: true });
    expect(cancelling).toMatchObject({ cancel_at_period_end: true, cancel_at: periodEnd });
    const none = await failure(stripe.invoices.createPreview({ subscription: added.id }));
    expect(none).toMatchObject({ statusCode: 404, code: 'invoice_upcoming_none' });

    const paid = standIn.addInvoice({ customer: customer.id, subscription: added.id, amountDue: 4_999_00, currency: 'INR', status: 'paid', created: Math.floor(Date.now() / 1000) - 86_400 });
    const open = standIn.addInvoice({ customer: customer.id, amountDue: 100, currency: 'inr', status: 'open', hostedInvoiceUrl: 'https://invoice.test/1' });
    const invoices = await stripe.invoices.list({ customer: customer.id, limit: 10 });
    expect(invoices.data.map((i) => i.id)).toEqual([open.id, paid.id]);
    expect(invoices.data[0]).toMatchObject({ status: 'open', amount_due: 100, hosted_invoice_url: 'https://invoice.test/1' });
    expect(invoices.data[1]).toMatchObject({ amount_paid: 4_999_00, currency: 'inr', parent: { subscription_details: { subscription: added.id } } });
    expect((await stripe.invoices.list({ subscription: added.id })).data.map((i) => i.id)).toEqual([paid.id]);
    expect((await stripe.invoices.list({ status: 'paid' })).data.map((i) => i.id)).toEqual([paid.id]);
  });

  it('refuses requests without a secret key', async () => {
    const response = await fetch(`${standIn.apiBase}/v1/customers`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: { type: 'invalid_request_error', message: expect.stringContaining('API key') } });

    const publishable = await failure(standIn.client('pk_test_123').customers.list());
    expect(publishable).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(publishable.statusCode).toBe(401);
  });

  it('answers unknown routes and ids with 404 and missing params with 400', async () => {
    const response = await fetch(`${standIn.apiBase}/v1/nothing`, { headers: { authorization: 'Bearer sk_test_standin' } });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { type: 'invalid_request_error', message: expect.stringContaining('Unrecognized request URL') } });

    for (const request of [stripe.customers.retrieve('cus_missing'), stripe.prices.retrieve('price_missing'), stripe.subscriptions.retrieve('sub_missing')]) {
      const error = await failure(request);
      expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
      expect(error).toMatchObject({ statusCode: 404, code: 'resource_missing', type: 'StripeInvalidRequestError' });
    }
    const noName = await failure(stripe.rawRequest('POST', '/v1/products', {}));
    expect(noName).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'name' });
    const noQuery = await failure(stripe.rawRequest('GET', '/v1/customers/search', {}));
    expect(noQuery).toMatchObject({ statusCode: 400, code: 'parameter_missing', param: 'query' });
  });

  it('replays a request sent again with the same idempotency key', async () => {
    const first = await stripe.customers.create({ name: 'Sunrise Clinic' }, { idempotencyKey: 'org_1-customer' });
    const second = await stripe.customers.create({ name: 'Sunrise Clinic' }, { idempotencyKey: 'org_1-customer' });
    expect(second.id).toBe(first.id);
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(standIn.customers.size).toBe(1);
    expect(standIn.requests.map((r) => r.idempotencyKey)).toEqual(['org_1-customer', 'org_1-customer']);

    const reused = await failure(stripe.customers.create({ name: 'Another Clinic' }, { idempotencyKey: 'org_1-customer' }));
    expect(reused).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(standIn.customers.size).toBe(1);
  });

  it('lets an app build its own client from config', async () => {
    const own = new Stripe('sk_test_app', { ...standIn.config, maxNetworkRetries: 0 });
    await own.products.create({ name: 'From the app' });
    expect(standIn.requests.at(-1)!.authorization).toBe('Bearer sk_test_app');
    expect(standIn.apiBase).toBe(`http://127.0.0.1:${standIn.port}`);
    expect(standIn.url).toBe(standIn.apiBase);
  });

  it('signs webhooks that the SDK verifies', () => {
    const secret = 'whsec_standin';
    const event = { id: 'evt_1', object: 'event', type: 'checkout.session.completed', data: { object: { id: 'cs_test_1', metadata: { organizationId: 'org_1' } } } };
    const { payload, signature } = signedWebhook(stripe, secret, event);
    expect(stripe.webhooks.constructEvent(payload, signature, secret)).toMatchObject({ id: 'evt_1', type: 'checkout.session.completed' });
    const tampered = payload.replace('org_1', 'org_2');
    expect(() => stripe.webhooks.constructEvent(tampered, signature, secret)).toThrow(Stripe.errors.StripeSignatureVerificationError);
    expect(() => stripe.webhooks.constructEvent(payload, signature, 'whsec_other')).toThrow(Stripe.errors.StripeSignatureVerificationError);
  });
});
