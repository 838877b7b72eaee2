import { DentalAttachment } from './attachment.entity';
import { DentalObservation } from './observation.entity';
import { DentalObservationTemplate } from './observation-template.entity';
import { DentalProcedure } from './procedure.entity';

/** This feature's TypeORM entities, listed in database/entities.ts. */
export const dentalEntities: (new () => object)[] = [DentalObservationTemplate, DentalObservation, DentalProcedure, DentalAttachment];
