import { Appointment } from './appointment.entity';

/** This feature's TypeORM entities, listed in database/entities.ts. */
export const appointmentEntities: (new () => object)[] = [Appointment];
