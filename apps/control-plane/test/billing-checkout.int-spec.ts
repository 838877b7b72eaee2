import { Client } from 'pg';
import { CATALOGUE_PRICES } from '@medgenie/contracts';
import { signedWebhook, StripeStandIn } from '@medgenie/testing';
import { syncCatalogue } from '../src/billing/catalogue';
import { cpDb, signupBody, startTestControlPlane, TestControlPlane } from './support';
import type { RecordedCall } from './stub-region';

/** A JSON answer, read field by field in assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Answer = Record<string, any>;

const WEBHOOK_SECRET = 'whsec_test_medgenie_checkout_0123456789';

interface Org {
  id: string;
  token: string;
  regionId: string;
}

/** Usage the stub regions report, per org (a region's own count: doctor profiles, patients, clinics, stored bytes). */
const usage = new Map<string, { doctors: number; patients: number; clinics: number; storageBytes: number }>();
function answerUsage(call: RecordedCall) {
  if (call.method !== 'GET' || !call.url.startsWith('/internal/v1/usage')) return undefined;
  const query = new URL(call.url, 'http://region').searchParams;
  const orgIds = (query.get('orgIds') ?? '').split(',').filter(Boolean);
  return {
    status: 200,
    body: {
      regionId: 'stub',
      date: query.get('date'),
      organizations: orgIds.map((orgId) => ({ orgId, doctors: 1, patients: 10, clinics: 1, staff: 0, storageBytes: 0, ...usage.get(orgId), apiRequests: { date: query.get('date'), count: 0 } })),
      unknown: [],
    },
  };
}

describe('billing with the real stripe SDK against a stand-in for Stripe', () => {
  let stripe: StripeStandIn;
  let cp: TestControlPlane;
  let db: Client;
  let adminToken: string;

  const requests = (method: string, path: string) => stripe.requests.filter((r) => r.method === method && r.path === path);
  const priceId = (lookupKey: string) => [...stripe.prices.values()].find((p) => p.lookup_key === lookupKey)!.id;

  async function newOrg(regionId = 'in'): Promise<Org> {
    const res = await cp.client.post<{ organizationId: string; accessToken: string }>('/v1/signup', signupBody({ regionId }));
    expect(res.status).toBe(201);
    return { id: res.body.organizationId, token: res.body.accessToken, regionId };
  }
  const checkout = (org: Org, body: Record<string, unknown>) => cp.client.post<Answer>('/v1/billing/checkout', body, { token: org.token });
  const deliver = async (event: object) => {
    const { payload, signature } = signedWebhook(stripe.client(), WEBHOOK_SECRET, event);
    return cp.client.request<{ outcome: string }>('POST', '/v1/billing/webhook', { payload, headers: { 'content-type': 'application/json', 'stripe-signature': signature } });
  };

  beforeAll(async () => {
    stripe = await new StripeStandIn().start();
    cp = await startTestControlPlane({ STRIPE_SECRET_KEY: 'sk_test_standin', STRIPE_API_BASE: stripe.apiBase, STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET });
    for (const region of Object.values(cp.regions)) region.answer = answerUsage;
    db = new Client({ connectionString: cpDb().adminUrl });
    await db.connect();
    adminToken = (await cp.client.post<{ accessToken: string }>('/v1/auth/login', cp.platformAdmin)).body.accessToken;
    await syncCatalogue(stripe.client());
  });
  afterAll(async () => {
    await db?.end();
    await cp?.close();
    await stripe?.stop();
  });

  it('creates the catalogue once: a product per paid plan, a price per plan, currency and interval by lookup key', async () => {
    expect([...stripe.products.values()].map((p) => p.metadata.plan).sort()).toEqual(['basic', 'premium']);
    expect([...stripe.prices.values()].map((p) => p.lookup_key).sort()).toEqual(CATALOGUE_PRICES.map((p) => p.lookupKey).sort());
    const inr = [...stripe.prices.values()].find((p) => p.lookup_key === 'basic_inr_monthly')!;
    expect(inr).toMatchObject({ currency: 'inr', unit_amount: 299_900, recurring: expect.objectContaining({ interval: 'month' }) });
    expect([...stripe.prices.values()].find((p) => p.lookup_key === 'premium_inr_yearly')).toMatchObject({ unit_amount: 9_999_000, recurring: expect.objectContaining({ interval: 'year' }) });
    const before = { products: stripe.products.size, prices: stripe.prices.size, posts: stripe.requests.filter((r) => r.method === 'POST').length };
    const again = await syncCatalogue(stripe.client());
    expect(again.products.every((p) => !p.created) && again.prices.every((p) => !p.created)).toBe(true);
    expect({ products: stripe.products.size, prices: stripe.prices.size, posts: stripe.requests.filter((r) => r.method === 'POST').length }).toEqual(before);
  });

  it("starts Checkout for an Indian org in INR at the plan's price, with the org on the subscription and its customer", async () => {
    const org = await newOrg('in');
    const res = await checkout(org, { plan: 'basic' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ mode: 'checkout', plan: 'basic', interval: 'monthly', lookupKey: 'basic_inr_monthly', currency: 'inr' });
    expect(res.body.url).toMatch(/^http/);
    const sent = requests('POST', '/v1/checkout/sessions').pop()!.body as Answer;
    expect(sent.mode).toBe('subscription');
    expect(sent.line_items[0]).toMatchObject({ price: priceId('basic_inr_monthly'), quantity: '1' });
    expect(sent.subscription_data.metadata.organizationId).toBe(org.id);
    expect(sent.client_reference_id).toBe(org.id);
    // upi_payments is on in India (seed 000): Checkout may offer UPI.
    expect(sent.excluded_payment_method_types).toBeUndefined();
    const customer = stripe.customers.get(sent.customer)!;
    expect(customer.metadata.organizationId).toBe(org.id);
    expect(stripe.checkoutSessions.get(res.body.sessionId)).toMatchObject({ currency: 'inr', amount_total: 299_900 });

    // A second Checkout reuses the customer.
    const customersBefore = stripe.customers.size;
    expect((await checkout(org, { plan: 'premium', interval: 'yearly' })).body).toMatchObject({ lookupKey: 'premium_inr_yearly' });
    expect(stripe.customers.size).toBe(customersBefore);
    expect((requests('POST', '/v1/checkout/sessions').pop()!.body as Answer).customer).toBe(customer.id);
  });

  it('bills a US org in USD, and offers no UPI where upi_payments is off for the org', async () => {
    const us = await newOrg('us');
    expect((await checkout(us, { plan: 'premium' })).body).toMatchObject({ lookupKey: 'premium_usd_monthly', currency: 'usd' });

    const indian = await newOrg('in');
    const flag = await cp.client.put('/v1/admin/flags/upi_payments', { enabled: true, strategies: [{ constraints: [{ contextName: 'regionId', operator: 'IN', values: ['in'] }, { contextName: 'orgId', operator: 'NOT_IN', values: [indian.id] }] }] }, { token: adminToken });
    expect(flag.status).toBe(200);
    try {
      expect((await checkout(indian, { plan: 'basic' })).status).toBe(200);
      expect((requests('POST', '/v1/checkout/sessions').pop()!.body as Answer).excluded_payment_method_types).toEqual(['upi']);
      const view = await cp.client.get<{ paymentMethods: string[] }>('/v1/billing', { token: indian.token });
      expect(view.body.paymentMethods).toEqual(['card']);
      const other = await newOrg('in');
      expect((await cp.client.get<{ paymentMethods: string[] }>('/v1/billing', { token: other.token })).body.paymentMethods).toEqual(['card', 'upi']);
    } finally {
      await cp.client.put('/v1/admin/flags/upi_payments', { enabled: true, strategies: [{ constraints: [{ contextName: 'regionId', operator: 'IN', values: ['in'] }] }] }, { token: adminToken });
    }
  });

  it('refuses a plan below the usage its region counts, before anything reaches Stripe', async () => {
    const org = await newOrg('in');
    usage.set(org.id, { doctors: 30, patients: 12_000, clinics: 2, storageBytes: 0 });
    const posts = stripe.requests.length;
    const res = await checkout(org, { plan: 'basic' });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('PLAN_BELOW_USAGE');
    expect(res.body.exceeds).toEqual(expect.arrayContaining([{ key: 'maxDoctors', max: 20, usage: 30 }, { key: 'maxPatients', max: 10_000, usage: 12_000 }]));
    expect(stripe.requests.length).toBe(posts);
    // Premium holds them.
    expect((await checkout(org, { plan: 'premium' })).status).toBe(200);
  });

  it('refuses what cannot be bought: enterprise (by contract), trial, an unknown plan or interval', async () => {
    const org = await newOrg('in');
    expect(await checkout(org, { plan: 'enterprise' })).toMatchObject({ status: 422, body: { code: 'PLAN_NOT_PURCHASABLE' } });
    expect(await checkout(org, { plan: 'trial' })).toMatchObject({ status: 422, body: { code: 'PLAN_NOT_PURCHASABLE' } });
    expect((await checkout(org, { plan: 'gold' })).status).toBe(400);
    expect((await checkout(org, { plan: 'basic', interval: 'weekly' })).status).toBe(400);
    // Only an org admin buys; a platform admin has no org to bill.
    expect((await cp.client.post('/v1/billing/checkout', { plan: 'basic' }, { token: adminToken })).status).toBe(403);
  });

  it('changes the plan of a running subscription (prorated), and the webhook that follows applies it', async () => {
    const org = await newOrg('in');
    await checkout(org, { plan: 'basic' });
    const customer = (requests('POST', '/v1/checkout/sessions').pop()!.body as Answer).customer as string;
    // The subscription Checkout made, and its webhook.
    const sub = stripe.addSubscription({ customer, price: priceId('basic_inr_monthly'), metadata: { organizationId: org.id } });
    const now = Math.floor(Date.now() / 1000);
    expect((await deliver({ id: `evt_${sub.id}_c`, object: 'event', type: 'customer.subscription.created', created: now, data: { object: sub } })).body.outcome).toBe('applied');
    expect((await cp.client.get<{ plan: string }>('/v1/billing', { token: org.token })).body.plan).toBe('basic');

    const res = await checkout(org, { plan: 'premium' });
    expect(res.body).toMatchObject({ mode: 'subscription_updated', lookupKey: 'premium_inr_monthly' });
    const update = requests('POST', `/v1/subscriptions/${sub.id}`).pop()!.body as Answer;
    expect(update).toMatchObject({ proration_behavior: 'create_prorations', items: [expect.objectContaining({ price: priceId('premium_inr_monthly') })] });
    const updated = stripe.subscriptions.get(sub.id)!;
    expect((await deliver({ id: `evt_${sub.id}_u`, object: 'event', type: 'customer.subscription.updated', created: now + 5, data: { object: updated } })).body.outcome).toBe('applied');
    const view = await cp.client.get<Answer>('/v1/billing', { token: org.token });
    expect(view.body).toMatchObject({ plan: 'premium', subscription: { lookupKey: 'premium_inr_monthly', status: 'active' } });
    // Asking for the plan it has is refused.
    expect((await checkout(org, { plan: 'premium' })).status).toBe(422);
  });

  it('opens the customer portal, lists invoices and shows the next one', async () => {
    const org = await newOrg('in');
    const portal = await cp.client.post<{ url: string }>('/v1/billing/portal', {}, { token: org.token });
    expect(portal.status).toBe(200);
    expect(portal.body.url).toMatch(/^http/);
    const customer = (requests('POST', '/v1/billing_portal/sessions').pop()!.body as Answer).customer as string;
    expect(stripe.customers.get(customer)!.metadata.organizationId).toBe(org.id);
    const sub = stripe.addSubscription({ customer, price: priceId('basic_inr_monthly'), metadata: { organizationId: org.id } });
    await deliver({ id: `evt_${sub.id}_c`, object: 'event', type: 'customer.subscription.created', created: Math.floor(Date.now() / 1000), data: { object: sub } });
    stripe.addInvoice({ customer, subscription: sub.id, amountDue: 299_900, currency: 'inr', status: 'paid' });

    const invoices = await cp.client.get<{ items: { amountDue: number; currency: string; status: string }[] }>('/v1/billing/invoices', { token: org.token });
    expect(invoices.body.items).toEqual([expect.objectContaining({ amountDue: 299_900, currency: 'inr', status: 'paid' })]);
    const view = await cp.client.get<Answer>('/v1/billing', { token: org.token });
    expect(view.body.invoices).toHaveLength(1);
    expect(view.body.nextInvoice).toMatchObject({ currency: 'inr' });
    expect(view.body.prices.map((p: { lookupKey: string }) => p.lookupKey).sort()).toEqual(['basic_inr_monthly', 'basic_inr_yearly', 'premium_inr_monthly', 'premium_inr_yearly']);

    // Another org sees its own billing only.
    const other = await newOrg('in');
    const theirs = await cp.client.get<Answer>('/v1/billing', { token: other.token });
    expect(theirs.body).toMatchObject({ organizationId: other.id, subscription: null, invoices: [] });

    // The platform admin sees the org's invoices on its billing page; the other org has none.
    const adminView = await cp.client.get<Answer>(`/v1/admin/organizations/${org.id}/billing`, { token: adminToken });
    expect(adminView.status).toBe(200);
    expect(adminView.body).toMatchObject({ billingConfigured: true, invoicesUnavailable: null, subscription: { lookupKey: 'basic_inr_monthly' } });
    expect(adminView.body.invoices).toEqual([expect.objectContaining({ amountDue: 299_900, currency: 'inr', status: 'paid' })]);
    expect((await cp.client.get<Answer>(`/v1/admin/organizations/${other.id}/billing`, { token: adminToken })).body).toMatchObject({ invoices: [], invoicesUnavailable: null });
    expect((await cp.client.get(`/v1/admin/organizations/${org.id}/billing`, { token: org.token })).status).toBe(403);

    // Stripe down: the page still answers, saying the invoices are unavailable rather than showing none as if real.
    const port = stripe.port;
    await stripe.stop();
    try {
      const down = await cp.client.get<Answer>(`/v1/admin/organizations/${org.id}/billing`, { token: adminToken });
      expect(down.status).toBe(200);
      expect(down.body).toMatchObject({ invoices: [], invoicesUnavailable: expect.stringMatching(/Stripe/), subscription: { lookupKey: 'basic_inr_monthly' } });
    } finally {
      await stripe.start(port);
    }
  });

  it('answers 502 BILLING_PROVIDER_UNAVAILABLE when Stripe does not answer, and recovers', async () => {
    const org = await newOrg('in');
    const port = stripe.port;
    await stripe.stop();
    try {
      expect(await checkout(org, { plan: 'basic' })).toMatchObject({ status: 502, body: { code: 'BILLING_PROVIDER_UNAVAILABLE' } });
    } finally {
      await stripe.start(port);
    }
    expect((await checkout(org, { plan: 'basic' })).status).toBe(200);
  });
});
