import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { HttpErrorFilter, loggingParams } from '@medgenie/http';
import { TenancyModule } from '@medgenie/tenancy';
import { AdminModule } from './admin/admin.module';
import { BillingModule } from './billing/billing.module';
import { ControlPlaneAuthGuard } from './common/auth.guard';
import { ClockModule } from './common/clock';
import { ThrottleModule } from './common/throttle.guard';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from './config/control-plane.config';
import { DatabaseModule } from './database/database.module';
import { FlagsModule } from './flags/flags.module';
import { HealthModule } from './health/health.module';
import { IdentityModule } from './identity/identity.module';
import { KeysModule } from './keys/keys.module';
import { MailModule } from './mail/mail.module';
import { MembersModule } from './members/members.module';
import { OrganizationSecurityModule } from './organizations/organization-security.module';
import { OrganizationsModule } from './organizations/organizations.module';
import { RegionalModule } from './regional/regional.module';
import { RegionsModule } from './regions/regions.module';
import { SignupModule } from './signup/signup.module';
import { UsageModule } from './usage/usage.module';

@Module({})
export class AppModule {
  static forRoot(config: ControlPlaneConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => ({ controlPlane: config })] }),
        { module: class ControlPlaneConfigModule {}, global: true, providers: [{ provide: CONTROL_PLANE_CONFIG, useValue: config }], exports: [CONTROL_PLANE_CONFIG] },
        LoggerModule.forRoot(loggingParams(logger)),
        ClockModule,
        ThrottleModule,
        TenancyModule,
        DatabaseModule,
        KeysModule,
        MailModule,
        RegionalModule,
        OrganizationsModule,
        IdentityModule,
        SignupModule,
        RegionsModule,
        MembersModule,
        OrganizationSecurityModule,
        AdminModule,
        FlagsModule,
        UsageModule,
        BillingModule,
        HealthModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        { provide: APP_GUARD, useClass: ControlPlaneAuthGuard },
      ],
    };
  }
}
