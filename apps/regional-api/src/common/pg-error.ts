/** The Postgres error under a TypeORM QueryFailedError (or the pg error itself, from a prepared statement). */
export interface PgErrorFields {
  code?: string;
  constraint?: string;
}

export function pgError(err: unknown): PgErrorFields {
  const e = err as { driverError?: PgErrorFields } & PgErrorFields;
  return e?.driverError ?? e ?? {};
}

/** True when `err` is a Postgres error with this SQLSTATE (and, when given, this constraint). */
export function isPgError(err: unknown, code: string, constraint?: string): boolean {
  const d = pgError(err);
  return d.code === code && (constraint === undefined || d.constraint === constraint);
}

export const PG = {
  foreignKeyViolation: '23503',
  checkViolation: '23514',
  exclusionViolation: '23P01',
  uniqueViolation: '23505',
} as const;
