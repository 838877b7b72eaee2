import { Prescription, PrescriptionItem } from './prescription.entity';

/** This feature's TypeORM entities, listed in database/entities.ts. */
export const prescriptionEntities: (new () => object)[] = [Prescription, PrescriptionItem];
