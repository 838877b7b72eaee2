import { Module } from '@nestjs/common';
import { PlanLimitsRepository } from '../organizations/plan-limits.repository';
import { PatientsController } from './patients.controller';
import { PatientsRepository } from './patients.repository';
import { PatientsService } from './patients.service';

@Module({ controllers: [PatientsController], providers: [PatientsService, PatientsRepository, PlanLimitsRepository] })
export class PatientsModule {}
