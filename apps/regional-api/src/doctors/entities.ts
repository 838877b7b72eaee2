import { Doctor, DoctorClinic } from './doctor.entity';

/** This feature's TypeORM entities, listed in database/entities.ts. */
export const doctorEntities: (new () => object)[] = [Doctor, DoctorClinic];
