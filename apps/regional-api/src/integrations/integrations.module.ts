import { Module } from '@nestjs/common';
import { IntegrationsController } from './integrations.controller';
import { IntegrationsRepository } from './integrations.repository';
import { IntegrationsService } from './integrations.service';

/** The organization's settings for flag-gated integrations (WhatsApp, UPI, fax). Flags and audit come from global modules. */
@Module({ controllers: [IntegrationsController], providers: [IntegrationsService, IntegrationsRepository] })
export class IntegrationsModule {}
