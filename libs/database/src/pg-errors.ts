/** True when `err` (a TypeORM QueryFailedError or a pg error) is a unique violation of `constraint`. */
export function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { driverError?: { code?: string; constraint?: string }; code?: string; constraint?: string } | undefined;
  const d = e?.driverError ?? e;
  return d?.code === '23505' && d?.constraint === constraint;
}
