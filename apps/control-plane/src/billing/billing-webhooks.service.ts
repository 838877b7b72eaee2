import { Inject, Injectable, Logger } from '@nestjs/common';
import type Stripe from 'stripe';
import { parsePriceLookupKey, PLAN_LIMITS } from '@medgenie/contracts';
import { Clock } from '../common/clock';
import { ErrorCode, fail } from '../common/errors';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';
import { BillingRepository, BillingTransaction, SubscriptionState } from './billing.repository';
import { BillingSync } from './billing-sync.service';
import { StripeProvider } from './stripe.provider';

const DAY_MS = 86_400_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Subscriptions that hold a plan (Stripe keeps charging a past_due one: dunning decides). */
const HOLDS_PLAN = new Set(['active', 'trialing', 'past_due']);
/** Subscriptions that are over: the org goes back to the trial (ended, unless signup was under 30 days ago). */
const ENDED = new Set(['canceled', 'incomplete_expired']);

/**
 * Where an event stands among the events of its object: Stripe's `created` (seconds), then the
 * event type's place in a subscription's life, so of two events of one second a deletion wins over
 * an update, and an update over the creation. An event older than what was applied is stale.
 */
const RANK: Record<string, number> = {
  'checkout.session.completed': 0,
  'customer.subscription.created': 1,
  'customer.subscription.updated': 2,
  'customer.subscription.deleted': 3,
  'invoice.payment_failed': 1,
  'invoice.paid': 2,
};
const version = (event: Stripe.Event) => event.created * 10 + (RANK[event.type] ?? 0);

export interface WebhookOutcome {
  received: true;
  eventId: string;
  /** applied; stale (older than what was applied); ignored (not ours or not about an org); duplicate (seen before). */
  outcome: 'applied' | 'stale' | 'ignored' | 'duplicate';
}

type Applied = { outcome: 'applied' | 'stale' | 'ignored'; detail?: string; orgId: string | null };

const idOf = (value: string | { id: string } | null | undefined): string | null => (typeof value === 'string' ? value : (value?.id ?? null));

/**
 * Stripe's webhooks (DESIGN §7): verified on the raw body, recorded by event id and applied once,
 * in one transaction with the org's billing row locked. Subscription events set the plan (from the
 * price's lookup key) and never let an older event overwrite a newer state; invoice events run
 * the dunning: a failed payment starts the grace period, a paid invoice ends it (and lifts a hold)
 * at once. What changes reaches the org's region (plan limits, the payment hold) and the flags'
 * `plan` context through the registry.
 */
@Injectable()
export class BillingWebhooks {
  private readonly logger = new Logger(BillingWebhooks.name);

  constructor(
    private readonly stripe: StripeProvider,
    private readonly billing: BillingRepository,
    private readonly sync: BillingSync,
    private readonly clock: Clock,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
  ) {}

  async receive(rawBody: Buffer | undefined, signature: string | undefined): Promise<WebhookOutcome> {
    if (!rawBody || !signature) throw fail(ErrorCode.WebhookSignatureInvalid, 'A Stripe-Signature header and the raw body are required');
    let event: Stripe.Event;
    try {
      event = this.stripe.verify(rawBody, signature);
    } catch (err) {
      if ((err as { code?: string }).code === ErrorCode.BillingNotConfigured) throw err;
      throw fail(ErrorCode.WebhookSignatureInvalid, 'The Stripe-Signature does not match this body');
    }
    return this.apply(event);
  }

  /** Records `event` and applies it, unless it was recorded before. */
  async apply(event: Stripe.Event): Promise<WebhookOutcome> {
    const objectId = idOf(event.data.object as { id: string });
    const result = await this.billing.inTransaction(async (m) => {
      const first = await this.billing.recordEvent(m, { id: event.id, type: event.type, organizationId: null, objectId, created: new Date(event.created * 1000), outcome: 'ignored' });
      if (!first) return null;
      const applied = await this.dispatch(m, event);
      await this.billing.settleEvent(m, event.id, applied.orgId, applied.outcome, applied.detail);
      return applied;
    });
    if (!result) return { received: true, eventId: event.id, outcome: 'duplicate' };
    if (result.outcome === 'applied' && result.orgId) await this.sync.push(result.orgId);
    if (result.outcome !== 'applied') this.logger.log({ eventId: event.id, type: event.type, outcome: result.outcome, detail: result.detail }, 'billing event not applied');
    return { received: true, eventId: event.id, outcome: result.outcome };
  }

  private dispatch(m: BillingTransaction, event: Stripe.Event): Promise<Applied> {
    switch (event.type) {
      case 'checkout.session.completed':
        return this.checkoutCompleted(m, event.data.object);
      case 'customer.subscription.created':
      case 'customer.subscription.updated':
      case 'customer.subscription.deleted':
        return this.subscriptionChanged(m, event, event.data.object);
      case 'invoice.paid':
      case 'invoice.payment_failed':
        return this.invoiceSettled(m, event, event.data.object);
      default:
        return Promise.resolve({ outcome: 'ignored', detail: `${event.type} is not handled`, orgId: null });
    }
  }

  /** The org an object names in its metadata (as Checkout set it), if that org exists. */
  private async orgFromMetadata(m: BillingTransaction, metadata: Stripe.Metadata | null | undefined): Promise<string | null> {
    const id = metadata?.organizationId;
    if (!id || !UUID.test(id)) return null;
    return (await this.billing.organization(id, m)) ? id : null;
  }

  private async checkoutCompleted(m: BillingTransaction, session: Stripe.Checkout.Session): Promise<Applied> {
    const orgId = (await this.orgFromMetadata(m, session.metadata)) ?? (session.client_reference_id && UUID.test(session.client_reference_id) ? session.client_reference_id : null);
    if (!orgId || !(await this.billing.organization(orgId, m))) return { outcome: 'ignored', detail: 'no MedGenie organization on the session', orgId: null };
    const row = await this.billing.lock(m, orgId);
    const customerId = idOf(session.customer);
    if (row.customerId && customerId && row.customerId !== customerId) return { outcome: 'ignored', detail: `customer ${customerId} is not the organization's`, orgId };
    await this.billing.linkCheckout(m, orgId, customerId, idOf(session.subscription));
    await this.billing.audit(m, orgId, 'billing.checkout.completed', { session: session.id, subscription: idOf(session.subscription) });
    return { outcome: 'applied', orgId };
  }

  private async subscriptionChanged(m: BillingTransaction, event: Stripe.Event, sub: Stripe.Subscription): Promise<Applied> {
    const orgId = await this.orgFromMetadata(m, sub.metadata);
    if (!orgId) return { outcome: 'ignored', detail: 'the subscription names no MedGenie organization (metadata.organizationId)', orgId: null };
    const row = await this.billing.lock(m, orgId);
    const customerId = idOf(sub.customer) ?? '';
    if (row.customerId && row.customerId !== customerId) return { outcome: 'ignored', detail: `customer ${customerId} is not the organization's`, orgId };
    const status = event.type === 'customer.subscription.deleted' ? 'canceled' : sub.status;
    // Another subscription than the org's current one: only a live one replaces it (an old one ending changes nothing).
    if (row.subscriptionId && row.subscriptionId !== sub.id && !HOLDS_PLAN.has(status)) {
      return { outcome: 'ignored', detail: `subscription ${sub.id} is not the organization's current one`, orgId };
    }
    const v = version(event);
    if (row.subscriptionId === sub.id && v <= row.subscriptionVersion) return { outcome: 'stale', detail: `older than the state applied (${row.subscriptionVersion})`, orgId };

    const item = sub.items?.data?.[0];
    const price = item?.price;
    const parsed = parsePriceLookupKey(price?.lookup_key);
    const state: SubscriptionState = {
      subscriptionId: sub.id,
      customerId,
      status,
      priceLookupKey: price?.lookup_key ?? null,
      currency: price?.currency ?? null,
      unitAmount: price?.unit_amount ?? null,
      interval: price?.recurring?.interval === 'year' ? 'yearly' : price?.recurring ? 'monthly' : null,
      quantity: item?.quantity ?? 1,
      currentPeriodEnd: item?.current_period_end ? new Date(item.current_period_end * 1000) : null,
      cancelAtPeriodEnd: sub.cancel_at_period_end,
      version: v,
    };
    await this.billing.saveSubscription(m, orgId, state);
    if (row.subscriptionStatus !== status) {
      await this.billing.audit(m, orgId, `billing.subscription.${status}`, { subscription: sub.id, from: row.subscriptionStatus, event: event.id });
    }
    await this.applyPlan(m, orgId, status, parsed?.plan ?? null, sub.id, event.id);
    return { outcome: 'applied', orgId };
  }

  /** The plan the subscription holds, or the trial again once it is over; pushed to the region by the registry sync. */
  private async applyPlan(m: BillingTransaction, orgId: string, status: string, plan: string | null, subscriptionId: string, eventId: string): Promise<void> {
    const org = (await this.billing.organization(orgId, m))!;
    let target: string | null = null;
    let trialEndsAt: Date | null = null;
    if (HOLDS_PLAN.has(status) && plan) {
      target = plan;
    } else if (ENDED.has(status) && org.plan !== 'trial' && org.plan !== 'enterprise') {
      // Back to the trial: what is left of its 30 days since signup, else ended now (read-only, as any trial that ended).
      target = 'trial';
      const trialDays = PLAN_LIMITS.trial.trialDays ?? 30;
      trialEndsAt = new Date(Math.max(org.createdAt.getTime() + trialDays * DAY_MS, this.clock.now().getTime()));
    }
    if (!target || target === org.plan) return;
    await this.billing.setPlan(m, orgId, target, trialEndsAt);
    await this.billing.audit(m, orgId, 'billing.plan.change', { from: org.plan, to: target, subscription: subscriptionId, event: eventId });
  }

  private async invoiceSettled(m: BillingTransaction, event: Stripe.Event, invoice: Stripe.Invoice): Promise<Applied> {
    const customerId = idOf(invoice.customer);
    const orgId =
      (customerId ? await this.billing.orgOfCustomer(customerId, m) : null) ?? (await this.orgFromMetadata(m, invoice.parent?.subscription_details?.metadata));
    if (!orgId) return { outcome: 'ignored', detail: 'the invoice belongs to no MedGenie organization', orgId: null };
    const row = await this.billing.lock(m, orgId);
    if (row.customerId && customerId && row.customerId !== customerId) return { outcome: 'ignored', detail: `customer ${customerId} is not the organization's`, orgId };
    const v = version(event);
    if (v <= row.paymentVersion) return { outcome: 'stale', detail: `older than the payment state applied (${row.paymentVersion})`, orgId };

    if (event.type === 'invoice.payment_failed') {
      if (row.dunningStatus === 'none') {
        const failedAt = new Date(event.created * 1000);
        const graceEndsAt = new Date(this.clock.now().getTime() + this.config.billing.graceDays * DAY_MS);
        await this.billing.savePaymentFailed(m, orgId, v, failedAt, graceEndsAt);
        await this.billing.audit(m, orgId, 'billing.payment.failed', { invoice: invoice.id ?? null, graceEndsAt: graceEndsAt.toISOString(), event: event.id });
      } else {
        // Stripe's retries of the same debt: the grace period is not extended.
        await this.billing.savePaymentFailed(m, orgId, v, null, null);
      }
      return { outcome: 'applied', orgId };
    }
    await this.billing.savePaid(m, orgId, v);
    if (row.dunningStatus !== 'none') {
      await this.billing.setPaymentOverdue(m, orgId, null);
      await this.billing.audit(m, orgId, 'billing.payment.recovered', { invoice: invoice.id ?? null, from: row.dunningStatus, event: event.id });
    }
    return { outcome: 'applied', orgId };
  }
}
