import { Inject, Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';
import { ErrorCode, fail } from '../common/errors';

/** The SDK's options: bounded retries and timeout, and `apiBase` (a stand-in, a proxy) instead of api.stripe.com when given. */
export function stripeOptions(apiBase: string | undefined): Stripe.StripeConfig {
  const target = apiBase ? new URL(apiBase) : undefined;
  return {
    maxNetworkRetries: 2,
    timeout: 10_000,
    telemetry: false,
    appInfo: { name: 'MedGenie control plane' },
    ...(target ? { host: target.hostname, port: Number(target.port || (target.protocol === 'https:' ? 443 : 80)), protocol: target.protocol.replace(':', '') as 'http' | 'https' } : {}),
  };
}

/**
 * The `stripe` SDK as this deployment has it: an API client when STRIPE_SECRET_KEY is set (pointed
 * at STRIPE_API_BASE when given), and the webhook verifier whenever STRIPE_WEBHOOK_SECRET is set,
 * with or without a key (verification is local: the signature over the raw body).
 */
@Injectable()
export class StripeProvider {
  readonly client: Stripe | null;
  private readonly verifier: Stripe;

  constructor(@Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig) {
    const { secretKey, apiBase } = config.billing;
    const options = stripeOptions(apiBase);
    this.client = secretKey ? new Stripe(secretKey, options) : null;
    // Webhook verification needs no key; the SDK wants one to construct, and this one is never sent.
    this.verifier = this.client ?? new Stripe('sk_test_webhook_verification_only', options);
  }

  /** The API client, or 409 BILLING_NOT_CONFIGURED (platform admins set plans instead). */
  api(): Stripe {
    if (!this.client) throw fail(ErrorCode.BillingNotConfigured, 'Billing is not configured on this platform (no STRIPE_SECRET_KEY): a platform admin sets plans');
    return this.client;
  }

  /** The event a webhook carries, verified against the endpoint's secret on the raw body; throws on a bad signature. */
  verify(rawBody: Buffer, signature: string): Stripe.Event {
    const secret = this.config.billing.webhookSecret;
    if (!secret) throw fail(ErrorCode.BillingNotConfigured, 'Webhooks are not configured on this platform (no STRIPE_WEBHOOK_SECRET)');
    return this.verifier.webhooks.constructEvent(rawBody, signature, secret);
  }
}
