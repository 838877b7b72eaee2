import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** E.164's shape: '+', a country code that does not start with 0, at most 15 digits in all. */
const E164_SHAPE = /^\+[1-9]\d{1,14}$/;

/**
 * A UPI virtual payment address as NPCI defines it: a local part of 2 to 256 letters, digits,
 * dots, hyphens or underscores, '@', and the handle of the payment app or bank (letters only).
 */
export const UPI_VPA = /^[A-Za-z0-9._-]{2,256}@[A-Za-z]{2,64}$/;

/**
 * `value` as an E.164 number when it is written in E.164 (no spaces or punctuation) and is a
 * number libphonenumber-js (full metadata) knows to be valid for its country; otherwise null.
 * The answer is canonical (a national trunk 0 after the country code is dropped).
 */
export function e164(value: unknown): string | null {
  if (typeof value !== 'string' || !E164_SHAPE.test(value)) return null;
  const parsed = parsePhoneNumberFromString(value);
  return parsed?.isValid() ? parsed.number : null;
}

export function isUpiVpa(value: unknown): value is string {
  return typeof value === 'string' && UPI_VPA.test(value);
}
