import { Body, Controller, Get, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiExcludeEndpoint, ApiTags } from '@nestjs/swagger';
import type { RawBodyRequest } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Public } from '@medgenie/auth';
import { CurrentPrincipal, Principal, RequireRole } from '../common/principal';
import { CheckoutDto } from './billing.dto';
import { BillingService } from './billing.service';
import { BillingWebhooks, WebhookOutcome } from './billing-webhooks.service';

/** An org admin's billing, on their organization's behalf (on the console host). */
@ApiTags('billing')
@ApiBearerAuth()
@RequireRole('org_admin')
@Controller('v1/billing')
export class BillingController {
  constructor(
    private readonly billing: BillingService,
    private readonly webhooks: BillingWebhooks,
  ) {}

  /** Plan, status, subscription (renewal), dunning, next and past invoices, prices in the org's currency, history. */
  @Get()
  overview(@CurrentPrincipal() caller: Principal) {
    return this.billing.overview(caller);
  }

  @Get('invoices')
  invoices(@CurrentPrincipal() caller: Principal) {
    return this.billing.invoices(caller);
  }

  /** Subscribe (a Checkout session's URL) or change plan (the running subscription's price). */
  @Post('checkout')
  @HttpCode(200)
  checkout(@CurrentPrincipal() caller: Principal, @Body() dto: CheckoutDto) {
    return this.billing.checkout(caller, dto.plan, dto.interval ?? 'monthly');
  }

  /** The customer portal: cards, invoices, cancellation. */
  @Post('portal')
  @HttpCode(200)
  portal(@CurrentPrincipal() caller: Principal) {
    return this.billing.portal(caller);
  }

  /** Stripe's webhooks, verified by signature on the raw body (STRIPE_WEBHOOK_SECRET). */
  @Public()
  @ApiExcludeEndpoint()
  @Post('webhook')
  @HttpCode(200)
  webhook(@Req() req: RawBodyRequest<FastifyRequest>, @Headers('stripe-signature') signature: string | undefined): Promise<WebhookOutcome> {
    return this.webhooks.receive(req.rawBody, signature);
  }
}
