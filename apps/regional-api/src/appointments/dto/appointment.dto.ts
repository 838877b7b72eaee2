import { IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, Min } from 'class-validator';
import { Trim } from '../../common/dto';
import { ClinicDayPageQuery } from '../../common/page';
import { APPOINTMENT_STATUSES, AppointmentStatus } from '../appointments.types';

/** An instant with its offset ("2030-03-10T09:30:00+05:30" or "...Z"): never a floating local time. */
export const INSTANT_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
const INSTANT_MESSAGE = (name: string) => `${name} must be an ISO-8601 date-time with an offset, e.g. 2030-03-10T09:30:00+05:30`;

/** Longest appointment the schema allows (appointments_max_length). */
export const MAX_APPOINTMENT_MINUTES = 12 * 60;

export class CreateAppointmentDto {
  @IsUUID() clinicId: string;

  @IsUUID() patientId: string;

  @IsUUID() doctorId: string;

  @IsString() @Matches(INSTANT_PATTERN, { message: INSTANT_MESSAGE('startsAt') }) startsAt: string;

  /** Either endsAt or durationMinutes; with neither, the clinic's slot length (settings.appointmentSlotMinutes, else 15). */
  @IsOptional() @IsString() @Matches(INSTANT_PATTERN, { message: INSTANT_MESSAGE('endsAt') }) endsAt?: string;

  @IsOptional() @IsInt() @Min(1) @Max(MAX_APPOINTMENT_MINUTES) durationMinutes?: number;

  @IsOptional() @Trim() @IsString() @Length(1, 500) reason?: string;
}

/** Reschedule (startsAt and/or endsAt or durationMinutes) and/or change the reason (null clears it). */
export class UpdateAppointmentDto {
  @IsOptional() @IsString() @Matches(INSTANT_PATTERN, { message: INSTANT_MESSAGE('startsAt') }) startsAt?: string;

  @IsOptional() @IsString() @Matches(INSTANT_PATTERN, { message: INSTANT_MESSAGE('endsAt') }) endsAt?: string;

  @IsOptional() @IsInt() @Min(1) @Max(MAX_APPOINTMENT_MINUTES) durationMinutes?: number;

  @IsOptional() @Trim() @IsString() @Length(1, 500) reason?: string | null;
}

export class ChangeAppointmentStatusDto {
  @IsIn(APPOINTMENT_STATUSES) status: AppointmentStatus;
}

export class ListAppointmentsQuery extends ClinicDayPageQuery {
  @IsOptional() @IsIn(APPOINTMENT_STATUSES) status?: AppointmentStatus;
}
