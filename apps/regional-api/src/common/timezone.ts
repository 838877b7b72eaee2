const known = new Map<string, boolean>();

/**
 * True for an IANA time zone name this runtime knows, aliases included ("Asia/Kolkata" and
 * "Asia/Calcutta" both; ICU lists only one of them as canonical).
 */
export function isTimeZone(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 64 || !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(value)) return false;
  let ok = known.get(value);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: value });
      ok = true;
    } catch {
      ok = false;
    }
    if (known.size < 1000) known.set(value, ok);
  }
  return ok;
}
