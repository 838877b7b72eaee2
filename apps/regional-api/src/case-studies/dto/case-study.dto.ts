import { OmitType, PartialType } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsOptional, IsString, IsUUID, Length, MaxLength } from 'class-validator';
import { Trim } from '../../common/dto';
import { PageQuery } from '../../common/page';

export class CreateCaseStudyDto {
  @IsUUID() patientId: string;
  @IsUUID() clinicId: string;
  @Trim() @IsString() @Length(1, 200) title: string;
  @IsOptional() @IsString() @MaxLength(20_000) summary?: string | null;
  /** The same patient's observations, procedures and attachments, in the order given. */
  @IsOptional() @IsArray() @ArrayMaxSize(200) @ArrayUnique() @IsUUID('all', { each: true }) observationIds?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(200) @ArrayUnique() @IsUUID('all', { each: true }) procedureIds?: string[];
  @IsOptional() @IsArray() @ArrayMaxSize(200) @ArrayUnique() @IsUUID('all', { each: true }) attachmentIds?: string[];
}

/** A case study stays with its patient and clinic; a list of ids replaces that kind of link. */
export class UpdateCaseStudyDto extends PartialType(OmitType(CreateCaseStudyDto, ['patientId', 'clinicId'] as const)) {}

export class ListCaseStudiesQuery extends PageQuery {
  @IsUUID() patientId: string;
  @IsOptional() @IsUUID() clinicId?: string;
}
