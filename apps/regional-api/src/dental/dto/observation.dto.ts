import { OmitType, PartialType } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { IsInstant } from '@medgenie/http';
import { ToInt } from '../../common/dto';
import { CONDITIONS, Condition, SEVERITIES, Severity, SURFACES, Surface } from '../dental.constants';
import { IsFdiTooth } from '../dental.validators';
import { PageQuery } from '../../common/page';

export class CreateObservationDto {
  @IsUUID() patientId: string;
  @IsUUID() clinicId: string;
  /** Defaults to the caller's own doctor profile, when the caller has one; null for none. */
  @IsOptional() @IsUUID() doctorId?: string | null;
  /** Fills surface, condition, severity and notes that the request leaves out. */
  @IsOptional() @IsUUID() templateId?: string;
  @IsInt() @IsFdiTooth() tooth: number;
  @IsOptional() @IsIn(SURFACES) surface?: Surface | null;
  /** Required unless the template gives one. */
  @IsOptional() @IsIn(CONDITIONS) condition?: Condition;
  @IsOptional() @IsIn(SEVERITIES) severity?: Severity | null;
  @IsOptional() @IsString() @MaxLength(4000) notes?: string | null;
  @IsOptional() @IsInstant() observedAt?: string;
}

/** An observation stays with its patient, clinic and template; everything else may be corrected. */
export class UpdateObservationDto extends PartialType(OmitType(CreateObservationDto, ['patientId', 'clinicId', 'templateId'] as const)) {}

export class ListObservationsQuery extends PageQuery {
  @IsUUID() patientId: string;
  @IsOptional() @ToInt() @IsInt() @IsFdiTooth() tooth?: number;
  @IsOptional() @IsUUID() clinicId?: string;
}
