import { Module } from '@nestjs/common';
import { FlagsModule } from '../flags/flags.module';
import { SignupModule } from '../signup/signup.module';
import { BillingAdminController } from './billing-admin.controller';
import { BillingSync } from './billing-sync.service';
import { BillingWebhooks } from './billing-webhooks.service';
import { BillingController } from './billing.controller';
import { BillingRepository } from './billing.repository';
import { BillingService } from './billing.service';
import { StripeProvider } from './stripe.provider';

/** Stripe billing (DESIGN §7): Checkout and the portal for org admins, webhooks, dunning, revenue. */
@Module({
  imports: [FlagsModule, SignupModule],
  controllers: [BillingController, BillingAdminController],
  providers: [StripeProvider, BillingRepository, BillingService, BillingWebhooks, BillingSync],
  exports: [BillingSync],
})
export class BillingModule {}
