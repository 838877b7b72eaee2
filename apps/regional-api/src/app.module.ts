import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { AuthModule } from '@medgenie/auth';
import { HttpErrorFilter, loggingParams } from '@medgenie/http';
import { TenancyModule } from '@medgenie/tenancy';
import { AppointmentsModule } from './appointments/appointments.module';
import { AuditModule } from './audit/audit.module';
import { CaseStudiesModule } from './case-studies/case-studies.module';
import { ClinicsModule } from './clinics/clinics.module';
import { REGIONAL_CONFIG, RegionalConfig } from './config/regional.config';
import { DatabaseModule } from './database/database.module';
import { DentalModule } from './dental/dental.module';
import { DoctorsModule } from './doctors/doctors.module';
import { FlagsModule } from './flags/flags.module';
import { RequestTransactionInterceptor } from './database/request-transaction.interceptor';
import { HealthModule } from './health/health.module';
import { IntegrationsModule } from './integrations/integrations.module';
import { MedicinesModule } from './medicines/medicines.module';
import { MembershipsModule } from './memberships/memberships.module';
import { OrganizationsModule } from './organizations/organizations.module';
import { OrganizationsRepository } from './organizations/organizations.repository';
import { PatientsModule } from './patients/patients.module';
import { PrescriptionsModule } from './prescriptions/prescriptions.module';
import { ProvisioningModule } from './provisioning/provisioning.module';
import { RedisModule } from './redis/redis.module';
import { SessionsModule } from './sessions/sessions.module';
import { ShortKeysModule } from './short-keys/short-keys.module';
import { UsageModule } from './usage/usage.module';

@Module({})
export class AppModule {
  /** The regional API for one region, from an already-validated configuration. */
  static forRoot(config: RegionalConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => ({ regional: config })] }),
        { module: class RegionalConfigModule {}, global: true, providers: [{ provide: REGIONAL_CONFIG, useValue: config }], exports: [REGIONAL_CONFIG] },
        LoggerModule.forRoot(loggingParams(logger)),
        TenancyModule,
        AuthModule.forRootAsync({
          inject: [],
          useFactory: () => ({ ...config.auth, regionId: config.regionId }),
        }),
        DatabaseModule,
        RedisModule,
        AuditModule,
        FlagsModule,
        HealthModule,
        OrganizationsModule,
        IntegrationsModule,
        ClinicsModule,
        MembershipsModule,
        PatientsModule,
        DoctorsModule,
        MedicinesModule,
        ShortKeysModule,
        AppointmentsModule,
        PrescriptionsModule,
        DentalModule,
        CaseStudiesModule,
        ProvisioningModule,
        SessionsModule,
        UsageModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        { provide: APP_INTERCEPTOR, useClass: RequestTransactionInterceptor },
        OrganizationsRepository,
      ],
    };
  }
}
