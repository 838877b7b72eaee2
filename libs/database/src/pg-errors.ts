/** SQLSTATEs of the integrity violations the apps answer with a 4xx (mapped to HTTP in libs/http's filter). */
export const PgViolation = {
  unique: '23505',
  foreignKey: '23503',
  exclusion: '23P01',
  check: '23514',
  notNull: '23502',
  badEncoding: '22021',
} as const;

interface PgErrorFields {
  code?: string;
  constraint?: string;
}

/** The Postgres error's fields, from a pg error or a TypeORM QueryFailedError around one. */
export function pgErrorOf(err: unknown): PgErrorFields {
  const e = err as ({ driverError?: PgErrorFields } & PgErrorFields) | null | undefined;
  return e?.driverError ?? e ?? {};
}

/** The name of the constraint `err` violates, when it is an integrity violation that names one. */
export function violatedConstraint(err: unknown): string | undefined {
  const { code, constraint } = pgErrorOf(err);
  return code?.startsWith('23') ? constraint : undefined;
}

/**
 * The one way a constraint violation becomes a domain error: when `err` violates one of the
 * named constraints, the error its entry makes; anything else comes back as it is, for the
 * caller to rethrow (the HTTP filter maps an unnamed violation to a generic 4xx).
 *
 *   catch (err) { throw onViolation(err, { [CODE_UNIQUE]: () => fail(ErrorCode.CodeTaken, '…') }); }
 */
export function onViolation(err: unknown, constraints: Readonly<Record<string, () => Error>>): unknown {
  const constraint = violatedConstraint(err);
  const make = constraint === undefined ? undefined : constraints[constraint];
  return make ? make() : err;
}

/** True when `err` is a unique violation of `constraint`. */
export function isUniqueViolation(err: unknown, constraint: string): boolean {
  const d = pgErrorOf(err);
  return d.code === PgViolation.unique && d.constraint === constraint;
}
