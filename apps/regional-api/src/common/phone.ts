import { CountryCode, getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { ErrorCode, fail } from './errors';

/**
 * The country a region's numbers are dialled from when written without a country code. A region
 * not listed here accepts only numbers written with one (+...).
 */
const REGION_COUNTRIES: Readonly<Record<string, CountryCode>> = {
  in: 'IN',
  us: 'US',
  ca: 'CA',
};

export function regionCountry(regionId: string): CountryCode | undefined {
  return REGION_COUNTRIES[regionId];
}

/**
 * `value` in E.164 when libphonenumber-js (full metadata) reads it as a valid number, written
 * nationally ("09812345678", "98123 45678", "(202) 555-0111") in `country` or internationally
 * ("+91 98123 45678"); otherwise null.
 */
export function toE164(value: string, country: CountryCode | undefined): string | null {
  const parsed = parsePhoneNumberFromString(value, country);
  return parsed?.isValid() ? parsed.number : null;
}

/**
 * The number as stored (E.164), or a 400 VALIDATION_FAILED naming `field` (and a field error in
 * the validation pipe's shape), so an invalid number is never stored.
 */
export function normalizePhone(value: string, field: string, country: CountryCode | undefined): string {
  const e164 = toE164(value, country);
  if (e164 !== null) return e164;
  const where = country ? ` (with the country code, or as dialled in ${country})` : ' with its country code (+...)';
  const message = `${field} must be a valid phone number${where}`;
  throw fail(ErrorCode.ValidationFailed, message, undefined, { errors: [{ field, message }] });
}

/**
 * The stored spellings a phone search looks for, as prefixes of `mobile_number`:
 * - the E.164 form when the term is a whole valid number ("09812345678" -> "+919812345678");
 * - for the start of a number typed without a country code, that start after the region's
 *   calling code ("98123" or "098123" in India -> "+9198123");
 * - and the term as typed, without spaces and punctuation: rows written before numbers were
 *   stored in E.164 keep the digits they were sent with (no migration rewrites them: the region's
 *   country is configuration, not something SQL can read, and RLS keeps a migration from walking
 *   every org's rows as the app would), and the national spelling of a whole number
 *   ("09812345678") finds those too.
 * At most three, distinct, each a range on the mobile index.
 */
export function phoneSearchPrefixes(term: string, country: CountryCode | undefined): string[] {
  const typed = term.replace(/[\s().-]/g, '');
  const prefixes = new Set<string>([typed]);
  const e164 = toE164(term, country);
  if (e164 !== null) {
    prefixes.add(e164);
    const parsed = parsePhoneNumberFromString(e164);
    if (parsed) prefixes.add(parsed.formatNational().replace(/\D/g, ''));
  } else if (country && /^\d+$/.test(typed)) {
    prefixes.add(`+${getCountryCallingCode(country)}${typed.replace(/^0/, '')}`);
  }
  return [...prefixes].slice(0, 3);
}
