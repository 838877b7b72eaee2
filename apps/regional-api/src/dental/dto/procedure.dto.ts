import { OmitType, PartialType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min } from 'class-validator';
import { IsInstant } from '@medgenie/http';
import { Trim } from '../../common/dto';
import { PROCEDURE_CODE_PATTERN, PROCEDURE_STATUSES, ProcedureStatus, SURFACES, Surface } from '../dental.constants';
import { IsFdiTooth } from '../dental.validators';
import { PageQuery } from '../../common/page';

const UpperCase = () => Transform(({ value }) => (typeof value === 'string' ? value.trim().toUpperCase() : value));

export class CreateProcedureDto {
  @IsUUID() patientId: string;
  @IsUUID() clinicId: string;
  /** Defaults to the caller's own doctor profile, when the caller has one; null for none. */
  @IsOptional() @IsUUID() doctorId?: string | null;
  /** The observation this procedure treats: the same patient's. */
  @IsOptional() @IsUUID() observationId?: string | null;
  /** A CDT/ADA code (D2391) or a local code: 2-20 of A-Z, 0-9, '.', '-'. */
  @UpperCase() @IsString() @Matches(PROCEDURE_CODE_PATTERN, { message: 'code must be 2-20 characters of A-Z, 0-9, "." and "-", such as D2391' })
  code: string;
  @Trim() @IsString() @Length(1, 500) description: string;
  /** Omitted (or null) for a whole-mouth procedure. */
  @IsOptional() @IsInt() @IsFdiTooth() tooth?: number | null;
  @IsOptional() @IsIn(SURFACES) surface?: Surface | null;
  /** A new procedure is planned, under way or already done; never cancelled. */
  @IsOptional() @IsIn(['planned', 'in_progress', 'completed']) status?: Exclude<ProcedureStatus, 'cancelled'>;
  /** In the region's currency; at most 2 decimals. */
  @IsOptional() @IsNumber({ maxDecimalPlaces: 2, allowNaN: false, allowInfinity: false }) @Min(0) @Max(9_999_999_999.99) cost?: number;
  /** When it was done; defaults to now when the procedure is completed. */
  @IsOptional() @IsInstant() performedAt?: string | null;
  @IsOptional() @IsString() @MaxLength(4000) notes?: string | null;
}

export class UpdateProcedureDto extends PartialType(OmitType(CreateProcedureDto, ['patientId', 'clinicId', 'status'] as const)) {
  @IsOptional() @IsIn(PROCEDURE_STATUSES) status?: ProcedureStatus;
}

export class ListProceduresQuery extends PageQuery {
  @IsUUID() patientId: string;
  @IsOptional() @IsIn(PROCEDURE_STATUSES) status?: ProcedureStatus;
  @IsOptional() @IsUUID() clinicId?: string;
}
