import { Type } from 'class-transformer';
import { IsOptional, IsString, IsUrl, Length, Matches, MaxLength, ValidateNested } from 'class-validator';
import { Trim } from '../../common/dto';
import { IsTimeZone } from '../../common/is-time-zone.validator';

export class BrandingDto {
  @IsOptional() @Trim() @IsString() @Length(1, 200) displayName?: string;

  @IsOptional() @Matches(/^#[0-9a-fA-F]{6}$/, { message: 'primaryColor must be a hex colour such as #0a7cff' }) primaryColor?: string;

  @IsOptional() @IsUrl({ protocols: ['https'], require_protocol: true }) @MaxLength(500) logoUrl?: string;
}

export class UpdateOrganizationSettingsDto {
  @IsOptional() @ValidateNested() @Type(() => BrandingDto) branding?: BrandingDto;

  /** One of the region's languages (e.g. en or hi in India, en or fr in Canada). */
  @IsOptional() @Matches(/^[a-z]{2}$/, { message: 'language must be a two-letter language code' }) language?: string;

  @IsOptional() @IsTimeZone() timezone?: string;
}
