import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { Stacked, Trim } from '../../common/dto';
import { ClinicDayPageQuery } from '../../common/page';

/** A short key's code, or its id. */
const SHORT_KEY_REF = /^[A-Za-z0-9_-]{1,36}$/;
const SHORT_KEY_MESSAGE = 'a short key is its code (1 to 20 letters, digits, "_" or "-") or its id';

/** Most lines one prescription holds (the items and every short key's expansion together). */
export const MAX_ITEMS = 50;

export class PrescriptionItemDto {
  /** A global medicine or one of the organization's own; a prescription stores its name with the line as it reads then. */
  @IsUUID() medicineId: string;

  /** "500 mg", "1 tablet". */
  @Trim() @IsString() @Length(1, 100) dosage: string;

  /** "1-0-1", "every 8 hours". */
  @Trim() @IsString() @Length(1, 100) frequency: string;

  /** "5 days". */
  @Trim() @IsString() @Length(1, 100) duration: string;

  @IsOptional() @IsInt() @Min(1) @Max(100_000) quantity?: number | null;

  @IsOptional() @Trim() @IsString() @Length(1, 500) instructions?: string | null;
}

/** A prescription's lines, in order. */
const PrescriptionItems = () =>
  Stacked(IsOptional(), IsArray(), ArrayMaxSize(MAX_ITEMS), ValidateNested({ each: true }), Type(() => PrescriptionItemDto));

export class CreatePrescriptionDto {
  /** Written from this appointment: clinic, patient and doctor come from it (and must agree when also given). */
  @IsOptional() @IsUUID() appointmentId?: string;

  /** Required for a walk-in (no appointment). */
  @IsOptional() @IsUUID() clinicId?: string;

  /** Required for a walk-in (no appointment). */
  @IsOptional() @IsUUID() patientId?: string;

  /** The prescribing doctor: the caller's own profile by default; only an org admin may name another doctor. */
  @IsOptional() @IsUUID() doctorId?: string;

  @IsOptional() @Trim() @IsString() @Length(1, 2000) diagnosis?: string;

  @IsOptional() @Trim() @IsString() @Length(1, 4000) notes?: string;

  @PrescriptionItems() items?: PrescriptionItemDto[];

  /** Short keys (codes or ids) whose lines are appended after `items`, in this order. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @Matches(SHORT_KEY_REF, { each: true, message: SHORT_KEY_MESSAGE })
  shortKeys?: string[];
}

/** A draft's changes: fields given replace the old ones (null clears); `items`, when given, replaces every line. */
export class UpdatePrescriptionDto {
  @IsOptional() @Trim() @IsString() @Length(1, 2000) diagnosis?: string | null;

  @IsOptional() @Trim() @IsString() @Length(1, 4000) notes?: string | null;

  @PrescriptionItems() items?: PrescriptionItemDto[];
}

/**
 * What an amendment carries: why the prescription is amended, and the new version's diagnosis and
 * notes when they change (omitted: copied from the amended version; null clears). Its lines are
 * copied; the new version is a draft, so they are changed as a draft's are (PATCH).
 */
export class AmendPrescriptionDto {
  @IsOptional() @Trim() @IsString() @Length(1, 1000) reason?: string;

  @IsOptional() @Trim() @IsString() @Length(1, 2000) diagnosis?: string | null;

  @IsOptional() @Trim() @IsString() @Length(1, 4000) notes?: string | null;
}

export class ApplyShortKeyDto {
  @IsString() @Matches(SHORT_KEY_REF, { message: SHORT_KEY_MESSAGE }) code: string;
}

/** `date`: the day written. */
export class ListPrescriptionsQuery extends ClinicDayPageQuery {
  @IsOptional() @IsUUID() appointmentId?: string;

  @IsOptional() @IsIn(['draft', 'final']) status?: 'draft' | 'final';
}
