import { ValidateBy, ValidationOptions } from 'class-validator';
import { isFdiTooth } from './dental.constants';

export function IsFdiTooth(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isFdiTooth',
      validator: {
        validate: (value) => isFdiTooth(value),
        defaultMessage: (args) =>
          `${args?.property ?? 'tooth'} must be an FDI tooth number (permanent 11-18, 21-28, 31-38, 41-48; primary 51-55, 61-65, 71-75, 81-85)`,
      },
    },
    options,
  );
}
