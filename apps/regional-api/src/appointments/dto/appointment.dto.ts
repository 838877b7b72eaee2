import { IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';
import { IsInstant } from '@medgenie/http';
import { Trim } from '../../common/dto';
import { ClinicDayPageQuery } from '../../common/page';
import { APPOINTMENT_STATUSES, AppointmentStatus } from '../appointments.types';


/** Longest appointment the schema allows (appointments_max_length). */
export const MAX_APPOINTMENT_MINUTES = 12 * 60;

export class CreateAppointmentDto {
  @IsUUID() clinicId: string;

  @IsUUID() patientId: string;

  @IsUUID() doctorId: string;

  @IsInstant() startsAt: string;

  /** Either endsAt or durationMinutes; with neither, the clinic's slot length (settings.appointmentSlotMinutes, else 15). */
  @IsOptional() @IsInstant() endsAt?: string;

  @IsOptional() @IsInt() @Min(1) @Max(MAX_APPOINTMENT_MINUTES) durationMinutes?: number;

  @IsOptional() @Trim() @IsString() @Length(1, 500) reason?: string;
}

/** Reschedule (startsAt and/or endsAt or durationMinutes) and/or change the reason (null clears it). */
export class UpdateAppointmentDto {
  @IsOptional() @IsInstant() startsAt?: string;

  @IsOptional() @IsInstant() endsAt?: string;

  @IsOptional() @IsInt() @Min(1) @Max(MAX_APPOINTMENT_MINUTES) durationMinutes?: number;

  @IsOptional() @Trim() @IsString() @Length(1, 500) reason?: string | null;
}

export class ChangeAppointmentStatusDto {
  @IsIn(APPOINTMENT_STATUSES) status: AppointmentStatus;
}

export class ListAppointmentsQuery extends ClinicDayPageQuery {
  @IsOptional() @IsIn(APPOINTMENT_STATUSES) status?: AppointmentStatus;
}
