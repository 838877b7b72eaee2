import { Injectable } from '@nestjs/common';
import { prepared, TransactionHost } from '@medgenie/database';
import { rowById } from '../common/by-id.repository';
import { RequestContext } from '@medgenie/tenancy';
import { ClinicDayQuery, filterByClinicDay } from '../common/day-list.repository';
import { preparedFor } from '../common/sql-patch';
import { AppointmentStatus } from './appointments.types';

/** An appointment as read: its instants in UTC, and its clinic's time zone. */
export interface AppointmentRow {
  id: string;
  clinicId: string;
  patientId: string;
  doctorId: string;
  startsAt: Date;
  endsAt: Date;
  /** The clinic's IANA time zone. */
  timeZone: string;
  status: AppointmentStatus;
  reason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What a booking must find: the clinic (and its default slot length), the patient, the doctor and where they practise. */
export interface BookingCheckRow {
  /** False when there is no such clinic, or RLS hides it from the caller. */
  clinic: boolean;
  slotMinutes: number | null;
  patient: boolean;
  /** Null when there is no such doctor. */
  doctorActive: boolean | null;
  atClinic: boolean;
}

/** An appointment as written (the organization is the transaction's). */
export interface NewAppointment extends Pick<AppointmentRow, 'id' | 'clinicId' | 'patientId' | 'doctorId' | 'startsAt' | 'endsAt' | 'reason'> {
  createdBy: string | null;
}

export interface AppointmentListQuery extends ClinicDayQuery {
  status?: AppointmentStatus;
}

/** Statuses that hold the doctor's time (the exclusion constraint's WHERE): cancelled and no-show free it. */
export const APPOINTMENT_NO_DOUBLE_BOOKING = 'appointments_no_double_booking';

/** The row's columns and its clinic's time zone (a subquery, so INSERT and UPDATE can return it too). */
const COLUMNS = `a.id, a.clinic_id as "clinicId", a.patient_id as "patientId", a.doctor_id as "doctorId",
  a.starts_at as "startsAt", a.ends_at as "endsAt",
  (select c.timezone from clinics c where c.organization_id = a.organization_id and c.id = a.clinic_id) as "timeZone",
  a.status, a.reason, a.created_at as "createdAt", a.updated_at as "updatedAt"`;

/**
 * Everything a booking must find, in one round trip: the clinic (RLS hides a clinic the caller
 * may not access) with its default slot length, the patient, the doctor and where they practise.
 */
const BOOKING_CHECK = prepared(`
  select c.id is not null as clinic, (c.settings ->> 'appointmentSlotMinutes')::int as "slotMinutes",
         exists (select 1 from patients p where p.organization_id = $1 and p.id = $3) as patient,
         d.is_active as "doctorActive",
         exists (select 1 from doctor_clinics dc where dc.organization_id = $1 and dc.doctor_id = $4 and dc.clinic_id = $2) as "atClinic"
    from (values (1)) one
    left join clinics c on c.organization_id = $1 and c.id = $2
    left join doctors d on d.organization_id = $1 and d.id = $4`);

/**
 * Whether [$4, $5) lies within one of the doctor's weekly windows at the clinic, read in the
 * clinic's time zone (a window ending "24:00" runs to midnight). A doctor whose hours at the
 * clinic are not set yet (an empty schedule) may be booked at any time.
 */
const WITHIN_HOURS = prepared(`
  select jsonb_array_length(dc.schedule) = 0
         or exists (
           select 1
             from jsonb_array_elements(dc.schedule) w,
                  lateral (select $4::timestamptz at time zone c.timezone as local_start, $5::timestamptz at time zone c.timezone as local_end) t
            where (w ->> 'weekday')::int = extract(isodow from t.local_start)
              and t.local_start >= t.local_start::date + (w ->> 'start')::time::interval
              and t.local_end <= t.local_start::date + (w ->> 'end')::time::interval) as ok
    from doctor_clinics dc
    join clinics c on c.organization_id = dc.organization_id and c.id = dc.clinic_id
   where dc.organization_id = $1 and dc.doctor_id = $2 and dc.clinic_id = $3`);

const INSERT = prepared(`
  insert into appointments as a (organization_id, id, clinic_id, patient_id, doctor_id, starts_at, ends_at, reason, created_by)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
  returning ${COLUMNS}`);

const FIND = prepared(`select ${COLUMNS} from appointments a where a.organization_id = $1 and a.id = $2`);
const FIND_FOR_UPDATE = prepared(`select ${COLUMNS} from appointments a where a.organization_id = $1 and a.id = $2 for update`);

const UPDATE = prepared(`
  update appointments a set starts_at = $3, ends_at = $4, reason = $5
   where a.organization_id = $1 and a.id = $2
  returning ${COLUMNS}`);

const SET_STATUS = prepared(`
  update appointments a set status = $3 where a.organization_id = $1 and a.id = $2 returning ${COLUMNS}`);

/** Appointments of the transaction's organization. RLS hides those in clinics the caller may not access. */
@Injectable()
export class AppointmentsRepository {
  constructor(private readonly tx: TransactionHost) {}

  async bookingCheck(clinicId: string, patientId: string, doctorId: string): Promise<BookingCheckRow> {
    const sql = this.tx.sql;
    const [row] = await sql.run<BookingCheckRow>(BOOKING_CHECK, [sql.orgId, clinicId, patientId, doctorId]);
    return row;
  }

  /** Whether [startsAt, endsAt) is within the doctor's hours at the clinic; null when the doctor does not practise there. */
  async withinHours(doctorId: string, clinicId: string, startsAt: Date, endsAt: Date): Promise<boolean | null> {
    const sql = this.tx.sql;
    const [row] = await sql.run<{ ok: boolean }>(WITHIN_HOURS, [sql.orgId, doctorId, clinicId, startsAt, endsAt]);
    return row ? row.ok : null;
  }

  async insert(appointment: NewAppointment): Promise<AppointmentRow> {
    const sql = this.tx.sql;
    const [row] = await sql.run<AppointmentRow>(INSERT, [
      sql.orgId,
      appointment.id,
      appointment.clinicId,
      appointment.patientId,
      appointment.doctorId,
      appointment.startsAt,
      appointment.endsAt,
      appointment.reason,
      appointment.createdBy,
    ]);
    return row;
  }

  findById(id: string): Promise<AppointmentRow | null> {
    return rowById<AppointmentRow>(this.tx.sql, FIND, id);
  }

  /** The appointment, locked for the rest of the transaction (it is about to change). */
  lockForUpdate(id: string): Promise<AppointmentRow | null> {
    return rowById<AppointmentRow>(this.tx.sql, FIND_FOR_UPDATE, id);
  }

  /**
   * At most `limit` appointments from `offset`, ordered by start. A `date` is a day in the clinic's
   * time zone: the given clinic's, or each appointment's own clinic's when listing a doctor's or a
   * patient's day (filterByClinicDay, which refuses a clinic `context` may not access).
   */
  async list(context: RequestContext, query: AppointmentListQuery, limit: number, offset: number): Promise<AppointmentRow[]> {
    const sql = this.tx.sql;
    const values: unknown[] = [sql.orgId, limit, offset];
    const param = (value: unknown) => `$${values.push(value)}`;
    const where = ['a.organization_id = $1'];
    const from = `appointments a${await filterByClinicDay(sql, context, query, 'a', 'starts_at', param, where)}`;
    if (query.doctorId) where.push(`a.doctor_id = ${param(query.doctorId)}`);
    if (query.patientId) where.push(`a.patient_id = ${param(query.patientId)}`);
    if (query.status) where.push(`a.status = ${param(query.status)}`);

    const text = `select ${COLUMNS} from ${from} where ${where.join(' and ')} order by a.starts_at, a.id limit $2 offset $3`;
    return sql.run<AppointmentRow>(preparedFor(text), values);
  }

  /** Sets the times and the reason; answers the row as updated. */
  async update(id: string, startsAt: Date, endsAt: Date, reason: string | null): Promise<AppointmentRow> {
    const sql = this.tx.sql;
    const [row] = await sql.run<AppointmentRow>(UPDATE, [sql.orgId, id, startsAt, endsAt, reason]);
    return row;
  }

  async setStatus(id: string, status: AppointmentStatus): Promise<AppointmentRow> {
    const sql = this.tx.sql;
    const [row] = await sql.run<AppointmentRow>(SET_STATUS, [sql.orgId, id, status]);
    return row;
  }
}
