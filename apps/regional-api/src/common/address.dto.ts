import { IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { Trim } from './dto';

export class PostalAddressDto {
  @IsOptional() @IsString() @MaxLength(200) @Trim() line1?: string;
  @IsOptional() @IsString() @MaxLength(200) @Trim() line2?: string;
  @IsOptional() @IsString() @MaxLength(100) @Trim() city?: string;
  @IsOptional() @IsString() @MaxLength(100) @Trim() state?: string;
  @IsOptional() @IsString() @MaxLength(20) @Trim() postalCode?: string;
  @IsOptional() @IsString() @Length(2, 2) country?: string;
}

