import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ErrorCode, fail } from '../common/errors';
import { RequireRole } from '../common/principal';
import { RevenueQuery } from './billing.dto';
import { BillingRepository } from './billing.repository';
import { BillingService, dunningView, subscriptionView } from './billing.service';

/** Billing for platform admins: each org's billing state, and revenue per region and plan. */
@ApiTags('platform admin')
@ApiBearerAuth()
@RequireRole('platform_admin')
@Controller('v1/admin')
export class BillingAdminController {
  constructor(
    private readonly billing: BillingRepository,
    private readonly service: BillingService,
  ) {}

  /** The org's plan, subscription, dunning, invoices (from Stripe) and billing history. */
  @Get('organizations/:id/billing')
  async organization(@Param('id', ParseUUIDPipe) id: string) {
    const org = await this.billing.organization(id);
    if (!org) throw fail(ErrorCode.OrganizationNotFound, 'Organization not found');
    const row = await this.billing.find(id);
    const [invoices, history] = await Promise.all([this.service.organizationInvoices(row?.customerId ?? null), this.billing.history(id, 50)]);
    return {
      organizationId: id,
      plan: org.plan,
      status: org.status,
      currency: org.currency,
      customerId: row?.customerId ?? null,
      subscription: row?.subscriptionId ? subscriptionView(row) : null,
      dunning: dunningView(row, org.paymentOverdueSince),
      billingConfigured: this.service.configured,
      ...invoices,
      history,
    };
  }

  /** Monthly recurring revenue of live subscriptions, per region or plan, in each currency's minor unit. */
  @Get('billing/revenue')
  async revenue(@Query() query: RevenueQuery) {
    return { by: query.by, items: await this.billing.revenue(query.by) };
  }
}
