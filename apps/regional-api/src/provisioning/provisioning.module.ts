import { Module } from '@nestjs/common';
import { ClinicsModule } from '../clinics/clinics.module';
import { DoctorsModule } from '../doctors/doctors.module';
import { OrganizationsRepository } from '../organizations/organizations.repository';
import { PlanLimitsRepository } from '../organizations/plan-limits.repository';
import { ProvisioningController } from './provisioning.controller';
import { ProvisioningRepository } from './provisioning.repository';
import { ProvisioningService } from './provisioning.service';

@Module({ imports: [ClinicsModule, DoctorsModule], controllers: [ProvisioningController], providers: [ProvisioningService, ProvisioningRepository, PlanLimitsRepository, OrganizationsRepository] })
export class ProvisioningModule {}
