import { PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { PostalAddressDto } from '../../common/address.dto';
import { NormalizePhone, PHONE_PATTERN, Trim } from '../../common/dto';
import { IsTimeZone } from '../../common/is-time-zone.validator';

export class ClinicSettingsDto {
  /** Default appointment length at this clinic. */
  @IsOptional() @IsInt() @Min(5) @Max(240) appointmentSlotMinutes?: number;
}

export class CreateClinicDto {
  @Trim() @IsString() @Length(1, 200) name: string;

  /** Short code unique in the organization (e.g. "MUM-01"); derived from the name when absent. */
  @IsOptional()
  @Matches(/^[A-Z0-9][A-Z0-9-]{0,49}$/, { message: 'code must be 1 to 50 upper-case letters, digits or hyphens' })
  code?: string;

  @IsOptional() @ValidateNested() @Type(() => PostalAddressDto) address?: PostalAddressDto;

  @IsOptional() @IsTimeZone() timezone?: string;

  @IsOptional()
  @NormalizePhone()
  @Matches(PHONE_PATTERN, { message: 'phone must be 7 to 15 digits, optionally starting with +' })
  phone?: string;

  @IsOptional() @IsBoolean() isPrimary?: boolean;

  @IsOptional() @IsBoolean() isActive?: boolean;

  @IsOptional() @ValidateNested() @Type(() => ClinicSettingsDto) settings?: ClinicSettingsDto;
}

export class UpdateClinicDto extends PartialType(CreateClinicDto) {}
