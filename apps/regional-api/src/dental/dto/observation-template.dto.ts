import { PartialType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { Trim } from '../../common/dto';
import { CONDITIONS, Condition, SEVERITIES, Severity, SURFACES, Surface } from '../dental.constants';

export class CreateObservationTemplateDto {
  @Trim() @IsString() @Length(1, 120) name: string;
  @IsOptional() @IsIn(SURFACES) surface?: Surface | null;
  @IsOptional() @IsIn(CONDITIONS) condition?: Condition | null;
  @IsOptional() @IsIn(SEVERITIES) severity?: Severity | null;
  @IsOptional() @IsString() @MaxLength(4000) notesTemplate?: string | null;
}

export class UpdateObservationTemplateDto extends PartialType(CreateObservationTemplateDto) {}
