import { Transform, TransformFnParams } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsString, Length, ValidateIf } from 'class-validator';

/** Trims surrounding whitespace of string input; other types pass through to be refused. */
export const Trim = () => Transform(({ value }: TransformFnParams) => (typeof value === 'string' ? value.trim() : value));

/** Query-string integers: '20' -> 20; anything else is left for the validator to refuse. */
export const ToInt = () =>
  Transform(({ value }: TransformFnParams) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value));

/** Phone numbers as people type them ("+91 98765-43210") stored as digits with an optional '+'. */
export const NormalizePhone = () =>
  Transform(({ value }: TransformFnParams) => (typeof value === 'string' ? value.replace(/[\s().-]/g, '') : value));

export const PHONE_PATTERN = /^\+?[0-9]{7,15}$/;

/** Query-string booleans: 'true' / 'false'; anything else is left for the validator to refuse. */
export const ToBoolean = () => Transform(({ value }: TransformFnParams) => (value === 'true' ? true : value === 'false' ? false : value));

/** Present means not null: for fields the database keeps NOT NULL. */
export const NotNull = () => ValidateIf((_object, value) => value !== undefined);

/** Applies `decorators` as if stacked above the property in this order (TypeScript applies a stack bottom first), so their checks run in the same order. */
export function Stacked(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => {
    for (const decorate of [...decorators].reverse()) decorate(target, key);
  };
}

/** A list of at most `maxItems` strings of 1 to 100 characters (a doctor's qualifications, a patient's allergies). */
export const StringList = (maxItems: number) => Stacked(IsArray(), ArrayMaxSize(maxItems), IsString({ each: true }), Length(1, 100, { each: true }));
