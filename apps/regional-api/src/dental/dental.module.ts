import { Module } from '@nestjs/common';
import { ClinicalReferences } from './clinical-references';
import { ObservationTemplatesController } from './observation-templates.controller';
import { ObservationTemplatesService } from './observation-templates.service';
import { ObservationsController } from './observations.controller';
import { ObservationsService } from './observations.service';
import { ProceduresController } from './procedures.controller';
import { ProceduresService } from './procedures.service';

/** Dental records: observation templates, observations and procedures. */
@Module({
  controllers: [ObservationTemplatesController, ObservationsController, ProceduresController],
  providers: [ClinicalReferences, ObservationTemplatesService, ObservationsService, ProceduresService],
  exports: [ClinicalReferences, ObservationsService, ProceduresService],
})
export class DentalModule {}
