import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsOptional, IsString, Length, Matches, ValidateNested } from 'class-validator';
import { NotNull, ToBoolean, Trim } from '../../common/dto';
import { PageQuery } from '../../common/page';
import { PrescriptionItemDto } from '../../prescriptions/dto/prescription.dto';

export const SHORT_KEY_CODE = /^[A-Za-z0-9_-]{1,20}$/;
const CODE_MESSAGE = 'code must be 1 to 20 letters, digits, "_" or "-"';

/** A short key's line is the prescription line it expands to, with the same rules. */
export class ShortKeyItemDto extends PrescriptionItemDto {}

export class CreateShortKeyDto {
  @Trim() @Matches(SHORT_KEY_CODE, { message: CODE_MESSAGE }) code: string;

  @Trim() @IsString() @Length(1, 200) name: string;

  @IsOptional() @Trim() @IsString() @Length(1, 1000) description?: string | null;

  @NotNull() @IsBoolean() isActive?: boolean;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ShortKeyItemDto)
  items: ShortKeyItemDto[];
}

export class UpdateShortKeyDto {
  @NotNull() @Trim() @Matches(SHORT_KEY_CODE, { message: CODE_MESSAGE }) code?: string;

  @NotNull() @Trim() @IsString() @Length(1, 200) name?: string;

  @IsOptional() @Trim() @IsString() @Length(1, 1000) description?: string | null;

  @NotNull() @IsBoolean() isActive?: boolean;

  /** When given, replaces every item (in order). */
  @NotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ShortKeyItemDto)
  items?: ShortKeyItemDto[];
}

export class ListShortKeysQuery extends PageQuery {
  /** The start of the code, case-insensitive. */
  @IsOptional() @Trim() @Matches(SHORT_KEY_CODE, { message: CODE_MESSAGE }) code?: string;

  @IsOptional() @ToBoolean() @IsBoolean() active?: boolean;
}
