import { registerDecorator, ValidationOptions } from 'class-validator';

const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(?:Z|([+-])(\d{2}):(\d{2}))$/;

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * Why `value` is not an instant a person meant, or null: an ISO-8601 date-time with its offset
 * (`2030-03-10T09:30:00+05:30` or `…Z`; without one the server's zone would decide), on a day the
 * calendar has (February 30 is refused, not read as March 2) and a time of day that exists.
 */
export function instantProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'must be a string';
  const m = INSTANT.exec(value);
  if (!m) return 'must be an ISO-8601 date-time with an offset, e.g. 2030-03-10T09:30:00+05:30';
  const [year, month, day, hour, minute, second = '0', , offsetHours = '0', offsetMinutes = '0'] = m.slice(1);
  if (Number(month) < 1 || Number(month) > 12) return `has no month ${month}`;
  if (Number(day) < 1 || Number(day) > daysIn(Number(year), Number(month))) return `is not a day of the calendar (${year}-${month}-${day})`;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return `is not a time of day (${hour}:${minute}:${second.padStart(2, '0')})`;
  if (Number(offsetHours) > 14 || Number(offsetMinutes) > 59) return 'has an offset no time zone has';
  return null;
}

/** class-validator: the property is an instant (see `instantProblem`). */
export function IsInstant(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isInstant',
      target: target.constructor,
      propertyName,
      options,
      validator: {
        validate: (value: unknown) => instantProblem(value) === null,
        defaultMessage: (args) => `${args?.property} ${instantProblem(args?.value)}`,
      },
    });
}
