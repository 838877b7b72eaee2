import { PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min, ValidateNested } from 'class-validator';
import { FLAG_CONTEXT_FIELDS, FLAG_NAME_PATTERN, FLAG_OPERATORS, FlagContextField, FlagOperator } from '../flags.types';

const toInt = () => Transform(({ value }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value));
/** No surrounding spaces (the SDK trims values, so " in" would quietly become "in") and no control characters. */
const VALUE = /^[^\s\p{Cc}](?:[^\p{Cc}]*[^\s\p{Cc}])?$/u;
const DESCRIPTION = /^[^\p{Cc}]*$/u;

export class FlagNameParams {
  @Matches(FLAG_NAME_PATTERN, { message: 'name must be lower case: a letter, then 1 to 63 letters, digits or underscores' }) name: string;
}

export class FlagConstraintDto {
  @IsIn(FLAG_CONTEXT_FIELDS) contextName: FlagContextField;
  @IsIn(FLAG_OPERATORS) operator: FlagOperator;
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @IsString({ each: true })
  @Length(1, 100, { each: true })
  @Matches(VALUE, { each: true, message: 'each value must be non-empty, without surrounding spaces or control characters' })
  values: string[];
}

/** One way the flag is on: every constraint holds. */
export class FlagStrategyDto {
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => FlagConstraintDto)
  constraints: FlagConstraintDto[];
}

/** Creates or replaces a flag. No strategies: on for everyone while enabled. A missing description keeps the current one. */
export class PutFlagDto {
  @IsBoolean() enabled: boolean;
  @IsOptional() @IsString() @Length(0, 500) @Matches(DESCRIPTION, { message: 'description must not contain control characters' }) description?: string;
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => FlagStrategyDto)
  strategies?: FlagStrategyDto[];
}

/** Changes what is given (at least one field): `{enabled}` alone turns a flag on or off, keeping its targeting. */
export class PatchFlagDto extends PartialType(PutFlagDto) {}

export class FlagMetricsQuery {
  /** How far back, in hours (default 24). */
  @IsOptional() @toInt() @IsInt() @Min(1) @Max(24 * 31) hours?: number;
}

export class FlagClientsQuery {
  @IsOptional() @toInt() @IsInt() @Min(1) @Max(500) limit?: number;
}
