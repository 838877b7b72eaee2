import { Module } from '@nestjs/common';
import { AttachmentsController } from './attachments.controller';
import { AttachmentsRepository } from './attachments.repository';
import { AttachmentsService } from './attachments.service';
import { ClinicalReferences } from './clinical-references';
import { ClinicalReferencesRepository } from './clinical-references.repository';
import { DentalBlobStore } from './dental-blob-store';
import { ObservationTemplatesController } from './observation-templates.controller';
import { ObservationTemplatesRepository } from './observation-templates.repository';
import { ObservationTemplatesService } from './observation-templates.service';
import { ObservationsController } from './observations.controller';
import { ObservationsRepository } from './observations.repository';
import { ObservationsService } from './observations.service';
import { ProceduresController } from './procedures.controller';
import { ProceduresRepository } from './procedures.repository';
import { ProceduresService } from './procedures.service';
import { RawUploadParser } from './raw-upload.parser';
import { PlanLimitsRepository } from '../organizations/plan-limits.repository';

/** Dental records: observation templates, observations, procedures and attachments (in the blob store). */
@Module({
  controllers: [ObservationTemplatesController, ObservationsController, ProceduresController, AttachmentsController],
  providers: [
    ClinicalReferencesRepository,
    ObservationTemplatesRepository,
    ObservationsRepository,
    ProceduresRepository,
    AttachmentsRepository,
    ClinicalReferences,
    ObservationTemplatesService,
    ObservationsService,
    ProceduresService,
    AttachmentsService,
    DentalBlobStore,
    RawUploadParser,
    PlanLimitsRepository,
  ],
  exports: [ClinicalReferences, ObservationsService, ProceduresService, AttachmentsService, ObservationsRepository, ProceduresRepository, AttachmentsRepository],
})
export class DentalModule {}
