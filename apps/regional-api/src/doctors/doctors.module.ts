import { Module } from '@nestjs/common';
import { PlanLimitsRepository } from '../organizations/plan-limits.repository';
import { DoctorsController } from './doctors.controller';
import { DoctorsRepository } from './doctors.repository';
import { DoctorsService } from './doctors.service';

@Module({
  controllers: [DoctorsController],
  providers: [DoctorsService, DoctorsRepository, PlanLimitsRepository],
  exports: [DoctorsService, DoctorsRepository],
})
export class DoctorsModule {}
