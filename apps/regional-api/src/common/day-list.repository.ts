import { prepared, Sql } from '@medgenie/database';
import { RequestContext } from '@medgenie/tenancy';
import { ErrorCode, fail } from './errors';

const HOUR = 3_600_000;

/** The clinic's day [start, end) as instants, in the clinic's time zone. */
const CLINIC_DAY = prepared(`
  select ($3::date)::timestamp at time zone timezone as "dayStart", ($3::date + 1)::timestamp at time zone timezone as "dayEnd"
    from clinics where organization_id = $1 and id = $2`);

export interface ClinicDayQuery {
  clinicId?: string;
  /** A day (YYYY-MM-DD) in the clinic's time zone. */
  date?: string;
  doctorId?: string;
  patientId?: string;
}

/**
 * Narrows a clinical list (rows `alias`, timed by `column`) to a clinic and/or a day. A day is the
 * clinic's: the given clinic's, or each row's own clinic's when listing a doctor's or a patient's
 * day. Pushes the conditions onto `where` (values through `param`) and returns the join they
 * need ('' or a join of the row's clinic as `c`).
 */
export async function filterByClinicDay(
  sql: Sql,
  context: RequestContext,
  query: ClinicDayQuery,
  alias: string,
  column: string,
  param: (value: unknown) => string,
  where: string[],
): Promise<string> {
  if (query.date && !query.clinicId && !query.doctorId && !query.patientId) {
    throw fail(ErrorCode.ValidationFailed, 'A day list needs clinicId, doctorId or patientId');
  }
  const at = `${alias}.${column}`;
  if (query.clinicId) {
    if (!context.canAccessClinic(query.clinicId)) throw fail(ErrorCode.ClinicNotFound, 'Clinic not found');
    const [day] = await sql.run<{ dayStart: Date | null; dayEnd: Date | null }>(CLINIC_DAY, [
      sql.orgId,
      query.clinicId,
      query.date ?? null,
    ]);
    if (!day) throw fail(ErrorCode.ClinicNotFound, 'Clinic not found');
    where.push(`${alias}.clinic_id = ${param(query.clinicId)}`);
    if (query.date) where.push(`${at} >= ${param(day.dayStart)}`, `${at} < ${param(day.dayEnd)}`);
    return '';
  }
  if (!query.date) return '';
  // Each row's day in its own clinic's zone. Every zone's day lies within [date - 1, date + 2)
  // in UTC, a plain range the index can use.
  const midnightUtc = Date.parse(`${query.date}T00:00:00Z`);
  where.push(`${at} >= ${param(new Date(midnightUtc - 24 * HOUR))}`, `${at} < ${param(new Date(midnightUtc + 48 * HOUR))}`);
  const day = param(query.date);
  where.push(`${at} >= (${day}::date)::timestamp at time zone c.timezone`, `${at} < (${day}::date + 1)::timestamp at time zone c.timezone`);
  return ` join clinics c on c.organization_id = ${alias}.organization_id and c.id = ${alias}.clinic_id`;
}
