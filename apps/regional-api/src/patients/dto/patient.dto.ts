import { PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDateString, IsEmail, IsIn, IsOptional, IsString, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { PostalAddressDto } from '../../common/address.dto';
import { NormalizePhone, PHONE_PATTERN, StringList, Trim } from '../../common/dto';
import { PageQuery } from '../../common/page';

export const GENDERS = ['male', 'female', 'other', 'unknown'] as const;
export const BLOOD_GROUPS = ['A+', 'A-', 'B+', 'B-', 'AB+', 'AB-', 'O+', 'O-'] as const;

export class EmergencyContactDto {
  @IsString() @Length(1, 200) @Trim() name: string;
  @IsOptional() @IsString() @MaxLength(50) @Trim() relationship?: string;
  @NormalizePhone() @Matches(PHONE_PATTERN, { message: 'phone must be 7 to 15 digits, optionally starting with +' }) phone: string;
}

export class CreatePatientDto {
  @Trim() @IsString() @Length(1, 100) firstName: string;

  @Trim() @IsString() @Length(1, 100) lastName: string;

  @NormalizePhone()
  @Matches(PHONE_PATTERN, { message: 'mobileNumber must be 7 to 15 digits, optionally starting with +' })
  mobileNumber: string;

  @IsOptional()
  @IsDateString({ strict: true, strictSeparator: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'dateOfBirth must be a date, YYYY-MM-DD' })
  dateOfBirth?: string;

  @IsOptional() @IsIn(GENDERS) gender?: (typeof GENDERS)[number];

  @IsOptional() @IsEmail() @MaxLength(254) email?: string;

  @IsOptional() @ValidateNested() @Type(() => PostalAddressDto) address?: PostalAddressDto;

  @IsOptional() @IsIn(BLOOD_GROUPS) bloodGroup?: (typeof BLOOD_GROUPS)[number];

  @IsOptional() @StringList(50) allergies?: string[];

  @IsOptional() @ValidateNested() @Type(() => EmergencyContactDto) emergencyContact?: EmergencyContactDto;
}

export class UpdatePatientDto extends PartialType(CreatePatientDto) {}

export class ListPatientsQuery extends PageQuery {
  /** A name (first, last, or "first last") or the start of a mobile number. */
  @IsOptional() @Trim() @IsString() @Length(1, 100) search?: string;
}
