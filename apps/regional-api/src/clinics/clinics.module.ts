import { Module } from '@nestjs/common';
import { PlanLimitsRepository } from '../organizations/plan-limits.repository';
import { ClinicsController } from './clinics.controller';
import { ClinicsRepository } from './clinics.repository';
import { ClinicsService } from './clinics.service';

@Module({
  controllers: [ClinicsController],
  providers: [ClinicsService, ClinicsRepository, PlanLimitsRepository],
  exports: [ClinicsService, ClinicsRepository],
})
export class ClinicsModule {}
