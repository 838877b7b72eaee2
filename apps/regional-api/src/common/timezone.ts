const ZONES = new Set(Intl.supportedValuesOf('timeZone'));
ZONES.add('UTC');

/** True for an IANA time zone name this runtime knows (e.g. "Asia/Kolkata"). */
export function isTimeZone(value: unknown): value is string {
  return typeof value === 'string' && ZONES.has(value);
}
