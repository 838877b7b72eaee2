import { Inject, Injectable, Logger } from '@nestjs/common';
import type Stripe from 'stripe';
import { BillingInterval, CATALOGUE_PRICES, cataloguePrice, isPurchasablePlan, monthlyRecurring, Plan, PLAN_LIMITS } from '@medgenie/contracts';
import { Clock } from '../common/clock';
import { ErrorCode, fail } from '../common/errors';
import { Principal } from '../common/principal';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';
import { FlagsService } from '../flags/flags.service';
import { RegionalClient } from '../regional/regional-client';
import { BillingRepository, BillingRow } from './billing.repository';
import { StripeProvider } from './stripe.provider';

const MIB = 1024 * 1024;
/** Subscriptions that are still running (a plan change goes through them, not a second Checkout). */
const RUNNING = new Set(['active', 'trialing', 'past_due', 'incomplete']);

export interface InvoiceView {
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

export interface Overage {
  key: 'maxDoctors' | 'maxPatients' | 'maxClinics' | 'maxStorageMb';
  max: number;
  usage: number;
}

/** What a signed-in org admin sees and does about their organization's subscription. */
@Injectable()
export class BillingService {
  private readonly logger = new Logger(BillingService.name);

  constructor(
    private readonly stripe: StripeProvider,
    private readonly billing: BillingRepository,
    private readonly regional: RegionalClient,
    private readonly flags: FlagsService,
    private readonly clock: Clock,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
  ) {}

  /** Whether Stripe is configured (without it, billing shows state and history only). */
  get configured(): boolean {
    return this.stripe.client !== null;
  }

  /** The caller's organization (org admins act on their own org only). */
  private async callerOrg(caller: Principal) {
    const org = caller.orgId ? await this.billing.organization(caller.orgId) : null;
    if (!org) throw fail(ErrorCode.OrganizationNotFound, 'Your token names no organization');
    return org;
  }

  /** Plan, status, subscription, dunning and history; with Stripe configured, the next and past invoices too. */
  async overview(caller: Principal) {
    const org = await this.callerOrg(caller);
    const row = await this.billing.find(org.id);
    const configured = this.configured;
    const [invoices, nextInvoice] = configured && row?.customerId ? await Promise.all([this.invoicesOf(row.customerId, 12), this.nextInvoice(row)]) : [[], null];
    return {
      organizationId: org.id,
      plan: org.plan,
      status: org.status,
      ...(org.trialEndsAt ? { trialEndsAt: org.trialEndsAt } : {}),
      currency: org.currency,
      billingConfigured: configured,
      subscription: row?.subscriptionId ? subscriptionView(row) : null,
      dunning: dunningView(row, org.paymentOverdueSince),
      nextInvoice,
      invoices,
      prices: CATALOGUE_PRICES.filter((p) => p.currency === org.currency).map((p) => ({ plan: p.plan, interval: p.interval, currency: p.currency, unitAmount: p.unitAmount, lookupKey: p.lookupKey })),
      paymentMethods: await this.paymentMethods(org),
      history: await this.billing.history(org.id, 20),
    };
  }

  async invoices(caller: Principal): Promise<{ items: InvoiceView[] }> {
    this.stripe.api();
    const org = await this.callerOrg(caller);
    const row = await this.billing.find(org.id);
    return { items: row?.customerId ? await this.invoicesOf(row.customerId, 24) : [] };
  }

  /**
   * Subscribe (Checkout) or change plan. A plan the org's usage does not fit is refused (409
   * PLAN_BELOW_USAGE, naming what exceeds) before anything reaches Stripe. An org without a running
   * subscription gets a Checkout session in its region's currency (UPI offered where the
   * upi_payments flag is on); one with a running subscription has its price switched (prorated),
   * and the webhook that follows applies the plan.
   */
  async checkout(caller: Principal, plan: string, interval: BillingInterval) {
    const api = this.stripe.api();
    const org = await this.callerOrg(caller);
    if (!isPurchasablePlan(plan)) {
      throw fail(ErrorCode.PlanNotPurchasable, plan === 'enterprise' ? 'Enterprise is priced by contract: contact MedGenie sales' : `The ${plan} plan cannot be bought`);
    }
    if (org.status !== 'active') throw fail(ErrorCode.OrganizationNotActive, `The organization is ${org.status}`);
    const price = cataloguePrice(plan, org.currency, interval);
    if (!price) throw fail(ErrorCode.PlanNotPurchasable, `The ${plan} plan has no ${interval} price in ${org.currency.toUpperCase()}`);
    await this.assertUsageFits(org.regionId, org.id, plan);
    const stripePrice = await this.priceByLookupKey(api, price.lookupKey);
    const row = await this.billing.find(org.id);

    if (row?.subscriptionId && row.subscriptionStatus && RUNNING.has(row.subscriptionStatus)) {
      if (row.priceLookupKey === price.lookupKey) throw fail(ErrorCode.PlanNotPurchasable, `The organization already has the ${plan} plan, ${interval}`);
      const sub = await this.call(() => api.subscriptions.retrieve(row.subscriptionId!));
      const item = sub.items.data[0];
      await this.call(() =>
        api.subscriptions.update(
          sub.id,
          { items: [{ id: item.id, price: stripePrice.id }], proration_behavior: 'create_prorations', metadata: { organizationId: org.id } },
          { idempotencyKey: `plan-change-${org.id}-${sub.id}-${price.lookupKey}-${row.subscriptionVersion}` },
        ),
      );
      return { organizationId: org.id, mode: 'subscription_updated' as const, plan, interval, lookupKey: price.lookupKey };
    }

    const customerId = await this.customerFor(api, org, caller);
    // Checkout offers the account's payment methods; for INR, UPI only where the org may use it.
    const excluded = org.currency === 'inr' && !(await this.paymentMethods(org)).includes('upi') ? ['upi'] : undefined;
    const session = await this.call(() =>
      api.checkout.sessions.create({
        mode: 'subscription',
        customer: customerId,
        client_reference_id: org.id,
        line_items: [{ price: stripePrice.id, quantity: 1 }],
        ...(excluded ? { excluded_payment_method_types: excluded } : {}),
        metadata: { organizationId: org.id, plan, interval },
        subscription_data: { metadata: { organizationId: org.id } },
        success_url: `${this.config.billing.returnUrl}?checkout=success&session_id={CHECKOUT_SESSION_ID}`,
        cancel_url: `${this.config.billing.returnUrl}?checkout=cancelled`,
      }),
    );
    return { organizationId: org.id, mode: 'checkout' as const, plan, interval, lookupKey: price.lookupKey, sessionId: session.id, url: session.url, currency: session.currency };
  }

  /** The customer portal (cards, invoices, cancellation) for the org's customer, created on first use. */
  async portal(caller: Principal) {
    const api = this.stripe.api();
    const org = await this.callerOrg(caller);
    const customerId = await this.customerFor(api, org, caller);
    const session = await this.call(() => api.billingPortal.sessions.create({ customer: customerId, return_url: this.config.billing.returnUrl }));
    return { url: session.url };
  }

  /** Payment methods Checkout offers the org: cards, and UPI for INR where the upi_payments flag is on for it. */
  private async paymentMethods(org: { id: string; regionId: string; plan: string; currency: string }): Promise<string[]> {
    if (org.currency !== 'inr') return ['card'];
    const flags = await this.flags.evaluate({ regionId: org.regionId, orgId: org.id, plan: org.plan }, ['upi_payments']);
    return flags.upi_payments ? ['card', 'upi'] : ['card'];
  }

  /** The org's usage against `plan`'s limits, as its region counts it. */
  private async assertUsageFits(regionId: string, orgId: string, plan: Plan): Promise<void> {
    const report = await this.regional.usage(regionId, [orgId], this.clock.now().toISOString().slice(0, 10));
    const usage = report.organizations.find((o) => o.orgId === orgId);
    if (!usage) return;
    const limits = PLAN_LIMITS[plan];
    const overage: Overage[] = [];
    const check = (key: Overage['key'], used: number) => {
      const max = limits[key];
      if (max !== null && used > max) overage.push({ key, max, usage: used });
    };
    check('maxDoctors', usage.doctors);
    check('maxPatients', usage.patients);
    check('maxClinics', usage.clinics);
    check('maxStorageMb', Math.ceil(usage.storageBytes / MIB));
    if (overage.length) {
      const what = overage.map((o) => `${o.key} ${o.usage} > ${o.max}`).join(', ');
      throw fail(ErrorCode.PlanBelowUsage, `The organization holds more than the ${plan} plan allows (${what}); remove some first or choose a larger plan`, undefined, { exceeds: overage });
    }
  }

  /** The org's Stripe customer: created once (idempotently, with the org's id in its metadata), then kept. */
  private async customerFor(api: Stripe, org: { id: string; name: string; slug: string }, caller: Principal): Promise<string> {
    const existing = await this.billing.find(org.id);
    if (existing?.customerId) return existing.customerId;
    const customer = await this.call(() =>
      api.customers.create({ name: org.name, metadata: { organizationId: org.id, slug: org.slug, createdBy: caller.userId } }, { idempotencyKey: `customer-${org.id}` }),
    );
    return this.billing.setCustomer(org.id, customer.id);
  }

  private async priceByLookupKey(api: Stripe, lookupKey: string): Promise<Stripe.Price> {
    const prices = await this.call(() => api.prices.list({ lookup_keys: [lookupKey], active: true, limit: 1 }));
    const price = prices.data[0];
    if (!price) throw fail(ErrorCode.BillingProviderUnavailable, `Stripe has no active price ${lookupKey}: run the catalogue command (npm run billing:catalogue)`);
    return price;
  }

  /**
   * An org's invoices for a platform admin: none while Stripe is not configured or the org has no
   * customer yet; when Stripe does not answer, none and why (never an empty list that looks real).
   */
  async organizationInvoices(customerId: string | null): Promise<{ invoices: InvoiceView[]; invoicesUnavailable: string | null }> {
    if (!this.stripe.client || !customerId) return { invoices: [], invoicesUnavailable: null };
    return this.listInvoices(customerId, 24);
  }

  private async invoicesOf(customerId: string, limit: number): Promise<InvoiceView[]> {
    return (await this.listInvoices(customerId, limit)).invoices;
  }

  /** The customer's latest invoices; when Stripe does not answer, none and why (logged). */
  private async listInvoices(customerId: string, limit: number): Promise<{ invoices: InvoiceView[]; invoicesUnavailable: string | null }> {
    let list: Stripe.ApiList<Stripe.Invoice>;
    try {
      list = await this.stripe.api().invoices.list({ customer: customerId, limit });
    } catch (err) {
      this.logger.warn(`invoices of ${customerId} unavailable: ${(err as Error).message}`);
      return { invoices: [], invoicesUnavailable: 'Stripe did not answer; try again later' };
    }
    const invoices = list.data.map((i) => ({
      id: i.id ?? null,
      number: i.number ?? null,
      status: i.status ?? null,
      currency: i.currency,
      amountDue: i.amount_due,
      amountPaid: i.amount_paid,
      created: new Date(i.created * 1000).toISOString(),
      hostedInvoiceUrl: i.hosted_invoice_url ?? null,
      pdfUrl: i.invoice_pdf ?? null,
    }));
    return { invoices, invoicesUnavailable: null };
  }

  private async nextInvoice(row: BillingRow) {
    if (!row.customerId || !row.subscriptionId || !row.subscriptionStatus || !RUNNING.has(row.subscriptionStatus) || row.cancelAtPeriodEnd) return null;
    try {
      const preview = await this.stripe.api().invoices.createPreview({ customer: row.customerId, subscription: row.subscriptionId });
      const at = preview.next_payment_attempt ?? preview.period_end;
      return { amountDue: preview.amount_due, currency: preview.currency, date: at ? new Date(at * 1000).toISOString() : null };
    } catch (err) {
      this.logger.warn(`next invoice of ${row.customerId} unavailable: ${(err as Error).message}`);
      return null;
    }
  }

  /** A Stripe call; Stripe's own failure (down, refusing) is a 502 BILLING_PROVIDER_UNAVAILABLE, never a 500. */
  private async call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      const e = err as { type?: string; message?: string };
      if (typeof e.type === 'string' && e.type.startsWith('Stripe')) {
        this.logger.warn(`Stripe refused or failed: ${e.type}: ${e.message}`);
        throw fail(ErrorCode.BillingProviderUnavailable, 'The payment provider did not complete this; try again shortly');
      }
      throw err;
    }
  }
}

export function subscriptionView(row: BillingRow) {
  return {
    id: row.subscriptionId,
    customerId: row.customerId,
    status: row.subscriptionStatus,
    lookupKey: row.priceLookupKey,
    interval: row.interval,
    currency: row.currency,
    unitAmount: row.unitAmount,
    mrr: row.unitAmount !== null && row.interval ? monthlyRecurring(row.unitAmount, row.interval, row.quantity) : null,
    renewsAt: row.cancelAtPeriodEnd ? null : row.currentPeriodEnd,
    endsAt: row.cancelAtPeriodEnd ? row.currentPeriodEnd : null,
    cancelAtPeriodEnd: row.cancelAtPeriodEnd,
  };
}

export function dunningView(row: BillingRow | null, paymentOverdueSince: Date | null) {
  return {
    status: row?.dunningStatus ?? 'none',
    paymentFailedAt: row?.paymentFailedAt ?? null,
    graceEndsAt: row?.graceEndsAt ?? null,
    heldAt: row?.suspendedAt ?? null,
    paymentOverdueSince,
  };
}
