import Stripe from 'stripe';
import { Client } from 'pg';
import { BillingSync } from '../src/billing/billing-sync.service';
import { Clock } from '../src/common/clock';
import { cpDb, signupBody, startTestControlPlane, TestControlPlane } from './support';

/** A JSON answer, read field by field in assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Answer = Record<string, any>;

const WEBHOOK_SECRET = 'whsec_test_medgenie_webhooks_0123456789';
const DAY = 86_400_000;
const signer = new Stripe('sk_test_signing_only');

let sequence = 0;
const eventId = () => `evt_test_${process.pid}_${++sequence}_${Date.now().toString(36)}`;

interface Org {
  id: string;
  token: string;
  customer: string;
}

function subscription(org: Org, options: { id?: string; status?: string; lookupKey?: string; unitAmount?: number; interval?: 'month' | 'year'; periodEnd?: number; customer?: string; cancelAtPeriodEnd?: boolean } = {}) {
  const lookupKey = options.lookupKey ?? 'basic_inr_monthly';
  return {
    id: options.id ?? `sub_${org.id.slice(0, 8)}`,
    object: 'subscription',
    customer: options.customer ?? org.customer,
    status: options.status ?? 'active',
    cancel_at_period_end: options.cancelAtPeriodEnd ?? false,
    metadata: { organizationId: org.id },
    items: {
      object: 'list',
      data: [
        {
          id: `si_${org.id.slice(0, 8)}`,
          object: 'subscription_item',
          quantity: 1,
          current_period_end: options.periodEnd ?? Math.floor(Date.now() / 1000) + 30 * 86_400,
          price: { id: `price_${lookupKey}`, object: 'price', lookup_key: lookupKey, currency: lookupKey.split('_')[1], unit_amount: options.unitAmount ?? 299_900, recurring: { interval: options.interval ?? 'month' } },
        },
      ],
    },
  };
}

function invoice(org: Org, customer = org.customer) {
  return { id: `in_${Math.random().toString(36).slice(2, 10)}`, object: 'invoice', customer, currency: 'inr', amount_due: 299_900, parent: { subscription_details: { metadata: { organizationId: org.id } } } };
}

function event(type: string, object: unknown, created: number, id = eventId()) {
  return { id, object: 'event', type, created, api_version: '2026-10-28.endive', livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, data: { object } };
}

describe('Stripe webhooks (POST /v1/billing/webhook): verified, applied once, in order, with dunning', () => {
  let cp: TestControlPlane;
  let db: Client;
  let adminToken: string;

  const send = (payload: string, signature?: string) =>
    cp.client.request<{ outcome?: string; code?: string }>('POST', '/v1/billing/webhook', {
      payload,
      headers: { 'content-type': 'application/json', ...(signature ? { 'stripe-signature': signature } : {}) },
    });
  const deliver = (evt: object) => {
    const payload = JSON.stringify(evt);
    return send(payload, signer.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET }));
  };
  const registry = async (id: string) =>
    (await db.query('SELECT plan, trial_ends_at, payment_overdue_since, region_sync_pending FROM organizations WHERE id = $1', [id])).rows[0] as {
      plan: string;
      trial_ends_at: Date | null;
      payment_overdue_since: Date | null;
    };
  const billingRow = async (id: string) => (await db.query('SELECT * FROM organization_billing WHERE organization_id = $1', [id])).rows[0];
  const auditActions = async (id: string) =>
    (await db.query(`SELECT action FROM admin_audit_events WHERE target_id = $1 AND action LIKE 'billing.%' ORDER BY occurred_at`, [id])).rows.map((r) => r.action as string);
  const lastRegionSync = (orgId: string) => cp.regions.in.calls.filter((c) => c.method === 'PATCH' && c.url.endsWith(orgId)).pop()?.body;

  async function newOrg(): Promise<Org> {
    const res = await cp.client.post<{ organizationId: string; accessToken: string }>('/v1/signup', signupBody({ regionId: 'in' }));
    expect(res.status).toBe(201);
    const customer = `cus_${res.body.organizationId.slice(0, 12)}`;
    // The customer Checkout would have created (billing.service does it through Stripe's API).
    await db.query('INSERT INTO organization_billing (organization_id, customer_id) VALUES ($1, $2)', [res.body.organizationId, customer]);
    return { id: res.body.organizationId, token: res.body.accessToken, customer };
  }

  beforeAll(async () => {
    cp = await startTestControlPlane({ STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET, BILLING_GRACE_DAYS: '7', BILLING_SWEEP_INTERVAL_SECONDS: '86400' });
    db = new Client({ connectionString: cpDb().adminUrl });
    await db.connect();
    adminToken = (await cp.client.post<{ accessToken: string }>('/v1/auth/login', cp.platformAdmin)).body.accessToken;
  });
  afterAll(async () => {
    await db?.end();
    await cp?.close();
  });

  it('refuses a bad or missing signature with 400 and changes nothing', async () => {
    const org = await newOrg();
    const evt = event('customer.subscription.created', subscription(org), Math.floor(Date.now() / 1000));
    const payload = JSON.stringify(evt);
    const wrongSecret = signer.webhooks.generateTestHeaderString({ payload, secret: 'whsec_someone_else_entirely' });
    expect(await send(payload, wrongSecret)).toMatchObject({ status: 400, body: { code: 'WEBHOOK_SIGNATURE_INVALID' } });
    expect(await send(payload)).toMatchObject({ status: 400, body: { code: 'WEBHOOK_SIGNATURE_INVALID' } });
    // Signed, then tampered with: the signature is over the raw body.
    const signed = signer.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET });
    expect((await send(payload.replace('basic_inr_monthly', 'premium_inr_monthly'), signed)).status).toBe(400);
    expect((await db.query('SELECT count(*)::int AS n FROM billing_events WHERE id = $1', [evt.id])).rows[0].n).toBe(0);
    expect((await registry(org.id)).plan).toBe('trial');
  });

  it('applies a subscription: the plan reaches the registry, the region and the org admin, the trial ends', async () => {
    const org = await newOrg();
    const res = await deliver(event('customer.subscription.created', subscription(org), Math.floor(Date.now() / 1000)));
    expect(res).toMatchObject({ status: 200, body: { outcome: 'applied' } });
    expect(await registry(org.id)).toMatchObject({ plan: 'basic', trial_ends_at: null });
    expect(lastRegionSync(org.id)).toMatchObject({ plan: 'basic', trialEndsAt: null, paymentOverdueSince: null });
    const seen = await cp.client.get<Answer>('/v1/billing', { token: org.token });
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ plan: 'basic', currency: 'inr', billingConfigured: false, subscription: { status: 'active', lookupKey: 'basic_inr_monthly', mrr: 299_900 } });
    expect(seen.body.subscription.renewsAt).toBeTruthy();
    expect(seen.body.history.map((h: { action: string }) => h.action)).toEqual(expect.arrayContaining(['billing.plan.change', 'billing.subscription.active']));
    // The platform admin's view, and revenue per region.
    const admin = await cp.client.get<Answer>(`/v1/admin/organizations/${org.id}/billing`, { token: adminToken });
    expect(admin.body).toMatchObject({ plan: 'basic', customerId: org.customer, subscription: { status: 'active', currency: 'inr' } });
    const revenue = await cp.client.get<{ items: { key: string; currency: string; mrr: number }[] }>('/v1/admin/billing/revenue?by=region', { token: adminToken });
    expect(revenue.body.items.find((i) => i.key === 'in' && i.currency === 'inr')?.mrr).toBeGreaterThanOrEqual(299_900);
    expect((await cp.client.get('/v1/admin/billing/revenue?by=planet', { token: adminToken })).status).toBe(400);
    // An org admin cannot read the platform's views.
    expect((await cp.client.get(`/v1/admin/organizations/${org.id}/billing`, { token: org.token })).status).toBe(403);
  });

  it('applies the same event once, however many times and however concurrently it arrives', async () => {
    const org = await newOrg();
    const evt = event('customer.subscription.created', subscription(org, { lookupKey: 'premium_inr_monthly', unitAmount: 999_900 }), Math.floor(Date.now() / 1000));
    const answers = await Promise.all(Array.from({ length: 10 }, () => deliver(evt)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(answers.filter((a) => a.body.outcome === 'applied')).toHaveLength(1);
    expect(answers.filter((a) => a.body.outcome === 'duplicate')).toHaveLength(9);
    expect((await auditActions(org.id)).filter((a) => a === 'billing.plan.change')).toHaveLength(1);
    expect((await registry(org.id)).plan).toBe('premium');
  });

  it('never lets an older event overwrite a newer state: updated before created ends as updated says', async () => {
    const org = await newOrg();
    const t = Math.floor(Date.now() / 1000);
    const updated = event('customer.subscription.updated', subscription(org, { lookupKey: 'premium_inr_monthly', unitAmount: 999_900 }), t + 60);
    const created = event('customer.subscription.created', subscription(org, { lookupKey: 'basic_inr_monthly', status: 'incomplete' }), t);
    expect((await deliver(updated)).body.outcome).toBe('applied');
    expect((await deliver(created)).body.outcome).toBe('stale');
    expect(await registry(org.id)).toMatchObject({ plan: 'premium' });
    expect(await billingRow(org.id)).toMatchObject({ subscription_status: 'active', price_lookup_key: 'premium_inr_monthly' });
    // The same second: a deletion wins over an update.
    const deleted = event('customer.subscription.deleted', subscription(org, { lookupKey: 'premium_inr_monthly', status: 'canceled' }), t + 120);
    const lateUpdate = event('customer.subscription.updated', subscription(org, { lookupKey: 'premium_inr_monthly' }), t + 120);
    expect((await deliver(deleted)).body.outcome).toBe('applied');
    expect((await deliver(lateUpdate)).body.outcome).toBe('stale');
    expect((await billingRow(org.id)).subscription_status).toBe('canceled');
  });

  it("goes back to the trial when the subscription ends (what is left of it, else read-only now)", async () => {
    const org = await newOrg();
    const t = Math.floor(Date.now() / 1000);
    await deliver(event('customer.subscription.created', subscription(org), t));
    expect((await registry(org.id)).plan).toBe('basic');
    const clock = jest.spyOn(cp.app.get(Clock), 'now').mockReturnValue(new Date(Date.now() + 90 * DAY));
    try {
      expect((await deliver(event('customer.subscription.deleted', subscription(org, { status: 'canceled' }), t + 10))).body.outcome).toBe('applied');
    } finally {
      clock.mockRestore();
    }
    const after = await registry(org.id);
    expect(after.plan).toBe('trial');
    // Signed up today, cancelled "90 days later": the trial ended at that moment.
    expect(Math.abs(after.trial_ends_at!.getTime() - (Date.now() + 90 * DAY))).toBeLessThan(60_000);
    expect(lastRegionSync(org.id)).toMatchObject({ plan: 'trial' });
  });

  it('runs the dunning: payment failure -> grace -> hold (read-only in the region) -> payment -> active, on the clock', async () => {
    const org = await newOrg();
    const bystander = await newOrg();
    const t = Math.floor(Date.now() / 1000);
    await deliver(event('customer.subscription.created', subscription(org), t));
    await deliver(event('customer.subscription.created', subscription(bystander), t));
    const clock = cp.app.get(Clock);
    const spy = jest.spyOn(clock, 'now');
    try {
      const failedAt = new Date('2026-12-02T08:00:00.000Z');
      spy.mockReturnValue(failedAt);
      expect((await deliver(event('invoice.payment_failed', invoice(org), t + 100))).body.outcome).toBe('applied');
      const pastDue = await billingRow(org.id);
      expect(pastDue).toMatchObject({ dunning_status: 'past_due' });
      expect(pastDue.grace_ends_at.toISOString()).toBe('2026-12-09T08:00:00.000Z');
      // Stripe's retry of the same debt does not extend the grace period.
      spy.mockReturnValue(new Date('2026-12-05T08:00:00.000Z'));
      await deliver(event('invoice.payment_failed', invoice(org), t + 200));
      expect((await billingRow(org.id)).grace_ends_at.toISOString()).toBe('2026-12-09T08:00:00.000Z');
      const seen = await cp.client.get<Answer>('/v1/billing', { token: org.token });
      expect(seen.body.dunning).toMatchObject({ status: 'past_due', graceEndsAt: '2026-12-09T08:00:00.000Z' });

      // Within the grace period nothing is held.
      expect(await cp.app.get(BillingSync).sweep()).not.toContain(org.id);
      expect((await registry(org.id)).payment_overdue_since).toBeNull();
      // Past it: held, and the region is told (it refuses writes; reads and export go on).
      spy.mockReturnValue(new Date('2026-12-09T08:00:01.000Z'));
      expect(await cp.app.get(BillingSync).sweep()).toContain(org.id);
      expect((await billingRow(org.id)).dunning_status).toBe('suspended');
      const held = await registry(org.id);
      expect(held.payment_overdue_since).not.toBeNull();
      expect(lastRegionSync(org.id)?.paymentOverdueSince).toBe(held.payment_overdue_since!.toISOString());
      expect((await cp.client.get<Answer>('/v1/billing', { token: org.token })).body.dunning.status).toBe('suspended');
      // The other org is untouched throughout.
      expect(await billingRow(bystander.id)).toMatchObject({ dunning_status: 'none' });
      expect((await registry(bystander.id)).payment_overdue_since).toBeNull();

      // A paid invoice lifts the hold at once.
      expect((await deliver(event('invoice.paid', invoice(org), t + 300))).body.outcome).toBe('applied');
      expect(await billingRow(org.id)).toMatchObject({ dunning_status: 'none', grace_ends_at: null });
      expect((await registry(org.id)).payment_overdue_since).toBeNull();
      expect(lastRegionSync(org.id)).toMatchObject({ paymentOverdueSince: null, plan: 'basic' });
      // An older failure arriving late changes nothing.
      expect((await deliver(event('invoice.payment_failed', invoice(org), t + 250))).body.outcome).toBe('stale');
      expect((await billingRow(org.id)).dunning_status).toBe('none');
      expect(await auditActions(org.id)).toEqual(expect.arrayContaining(['billing.payment.failed', 'billing.payment.hold', 'billing.payment.recovered']));
    } finally {
      spy.mockRestore();
    }
  });

  it("never lets one org's events touch another: a foreign customer is ignored", async () => {
    const victim = await newOrg();
    const attacker = await newOrg();
    const t = Math.floor(Date.now() / 1000);
    await deliver(event('customer.subscription.created', subscription(victim), t));
    // A subscription naming the victim's org under the attacker's customer.
    const forged = event('customer.subscription.updated', subscription(victim, { customer: attacker.customer, status: 'canceled' }), t + 50);
    expect((await deliver(forged)).body.outcome).toBe('ignored');
    const failed = event('invoice.payment_failed', invoice(victim, attacker.customer), t + 60);
    expect((await deliver(failed)).body.outcome).toBe('applied'); // it is the attacker's own invoice
    expect(await billingRow(victim.id)).toMatchObject({ subscription_status: 'active', dunning_status: 'none' });
    expect(await billingRow(attacker.id)).toMatchObject({ dunning_status: 'past_due' });
    expect((await registry(victim.id)).plan).toBe('basic');
    // Not about any org: recorded, ignored.
    expect((await deliver(event('customer.created', { id: 'cus_x', object: 'customer' }, t))).body.outcome).toBe('ignored');
  });

  it('without STRIPE_SECRET_KEY, the billing endpoints answer 409 BILLING_NOT_CONFIGURED', async () => {
    const org = await newOrg();
    expect(await cp.client.post('/v1/billing/checkout', { plan: 'basic' }, { token: org.token })).toMatchObject({ status: 409, body: { code: 'BILLING_NOT_CONFIGURED' } });
    expect(await cp.client.post('/v1/billing/portal', {}, { token: org.token })).toMatchObject({ status: 409, body: { code: 'BILLING_NOT_CONFIGURED' } });
    expect(await cp.client.get('/v1/billing/invoices', { token: org.token })).toMatchObject({ status: 409, body: { code: 'BILLING_NOT_CONFIGURED' } });
    expect((await cp.client.get<{ billingConfigured: boolean }>('/v1/billing', { token: org.token })).body.billingConfigured).toBe(false);
    expect((await cp.client.get('/v1/billing')).status).toBe(401);
  });
});

describe('Stripe webhooks without STRIPE_WEBHOOK_SECRET', () => {
  it('are refused with 409 BILLING_NOT_CONFIGURED', async () => {
    const cp = await startTestControlPlane();
    try {
      const payload = JSON.stringify(event('invoice.paid', {}, 1));
      const res = await cp.client.request<{ code: string }>('POST', '/v1/billing/webhook', {
        payload,
        headers: { 'content-type': 'application/json', 'stripe-signature': signer.webhooks.generateTestHeaderString({ payload, secret: WEBHOOK_SECRET }) },
      });
      expect(res).toMatchObject({ status: 409, body: { code: 'BILLING_NOT_CONFIGURED' } });
    } finally {
      await cp.close();
    }
  });
});
