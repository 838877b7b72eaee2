import { ValidateBy, ValidationOptions } from 'class-validator';
import { isTimeZone } from './timezone';

export function IsTimeZone(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isTimeZone',
      validator: {
        validate: (value) => isTimeZone(value),
        defaultMessage: (args) => `${args?.property ?? 'value'} must be an IANA time zone such as Asia/Kolkata`,
      },
    },
    options,
  );
}
