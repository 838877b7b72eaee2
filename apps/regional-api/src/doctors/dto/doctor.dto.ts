import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsNumber, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { NotNull, StringList, ToBoolean, Trim } from '../../common/dto';

/** "HH:MM", 00:00 to 23:59; an end may also be 24:00 (midnight at the end of the day). */
export const TIME_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;
export const END_TIME_PATTERN = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;

/** Written out rather than PartialType: that marks every field optional, which would let null through where the column is NOT NULL. */
export class UpdateDoctorDto {
  @IsOptional() @Trim() @IsString() @Length(1, 64) licenseNumber?: string | null;

  @IsOptional() @Trim() @IsString() @Length(1, 120) specialization?: string | null;

  @NotNull() @StringList(20) qualifications?: string[];

  @IsOptional()
  @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(9_999_999_999.99)
  consultationFee?: number | null;

  @IsOptional() @IsString() @MaxLength(2000) bio?: string | null;

  @NotNull() @IsBoolean() isActive?: boolean;
}

/** A new profile: the same fields as an update, for a membership. */
export class CreateDoctorDto extends UpdateDoctorDto {
  /** The membership (role doctor or org_admin) this profile belongs to. */
  @IsUUID() membershipId: string;
}

export class ListDoctorsQuery {
  /** Doctors who practise at this clinic. */
  @IsOptional() @IsUUID() clinicId?: string;

  /** Exact specialization, case-insensitive. */
  @IsOptional() @Trim() @IsString() @Length(1, 120) specialization?: string;

  @IsOptional() @ToBoolean() @IsBoolean() active?: boolean;
}

export class ScheduleWindowDto {
  /** ISO weekday: Monday = 1 ... Sunday = 7. */
  @IsInt() @Min(1) @Max(7) weekday: number;

  @IsString() @Matches(TIME_PATTERN, { message: 'start must be a time HH:MM (00:00 to 23:59)' }) start: string;

  @IsString() @Matches(END_TIME_PATTERN, { message: 'end must be a time HH:MM (00:01 to 24:00)' }) end: string;
}

export class SetDoctorClinicDto {
  /** The weekly windows in the clinic's time zone; empty means "practises here, hours not set". */
  @IsArray()
  @ArrayMaxSize(70)
  @ValidateNested({ each: true })
  @Type(() => ScheduleWindowDto)
  schedule: ScheduleWindowDto[];
}
