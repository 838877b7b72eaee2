import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';

type RuleLookup = ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas'];
type ValidationMetadata = ReturnType<RuleLookup>[number];
type Grouped = Record<string, ValidationMetadata[]>;

const memoized = new WeakSet<object>();

/**
 * class-validator works out a class's rules (its own and every ancestor's) on each validate()
 * call by scanning every registered class, then regroups them by property
 * (typestack/class-validator#2686): on the API's hot writes that was a quarter of validation's
 * time and most of its garbage. A class's rules are all registered when the class and its
 * ancestors are loaded, before any instance can be validated, and never change afterwards, so
 * both answers are kept per class and per option set (schema, always, strictGroups, groups).
 */
export function memoizeValidationRules(): void {
  const storage = getMetadataStorage();
  if (memoized.has(storage)) return;
  memoized.add(storage);
  const lookup: RuleLookup = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  const rules = new WeakMap<object, Map<string, ValidationMetadata[]>>();
  const grouped = new WeakMap<ValidationMetadata[], Grouped>();
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = JSON.stringify([schema, always, strictGroups, groups ?? null]);
    let byOptions = rules.get(target);
    if (!byOptions) rules.set(target, (byOptions = new Map()));
    let found = byOptions.get(key);
    if (!found) byOptions.set(key, (found = lookup(target, schema, always, strictGroups, groups)));
    return found;
  };
  storage.groupByPropertyName = (metadata) => {
    let found = grouped.get(metadata);
    if (!found) grouped.set(metadata, (found = group(metadata)));
    return found;
  };
}

/** One field's problems: its path ("address.city", "items.0.dosage") and every constraint it broke. */
export interface FieldError {
  field: string;
  messages: string[];
}

/** Every problem of every field, nested ones under their full path, in the order they were found. */
export function fieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const messages = Object.values(e.constraints ?? {}).map((m) =>
      m.includes('should not exist') ? `property ${field} is not allowed` : m.replace(e.property, field),
    );
    return [...(messages.length ? [{ field, messages }] : []), ...fieldErrors(e.children ?? [], field)];
  });
}

/**
 * The global pipe: unknown fields refused, everything converted to its DTO type. A refusal lists
 * every problem: all of them in `message` ("; " between them), and by field in `errors`.
 */
export function createValidationPipe(): ValidationPipe {
  memoizeValidationRules();
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const fields = fieldErrors(errors);
      const message = fields.flatMap((f) => f.messages).join('; ') || 'Invalid input';
      return new BadRequestException({ code: 'VALIDATION_FAILED', message, errors: fields });
    },
  });
}
