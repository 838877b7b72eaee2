import { Medicine } from './medicine.entity';

/** This feature's TypeORM entities, listed in database/entities.ts. */
export const medicineEntities: (new () => object)[] = [Medicine];
