import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { Trim } from '../../common/dto';
import { PageQuery } from '../../common/page';

export const SHORT_KEY_CODE = /^[A-Za-z0-9_-]{1,20}$/;
const CODE_MESSAGE = 'code must be 1 to 20 letters, digits, "_" or "-"';

/** Query-string booleans: 'true' / 'false'; anything else is left for the validator to refuse. */
const ToBoolean = () => Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value));

/** Present means not null: for fields the database keeps NOT NULL. */
const NotNull = () => ValidateIf((_object, value) => value !== undefined);

export class ShortKeyItemDto {
  /** A global medicine or one of the organization's own. */
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
