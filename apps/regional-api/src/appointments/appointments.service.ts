import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { prepared, runPrepared, TransactionHost } from '@medgenie/database';
import { RequestContext } from '@medgenie/tenancy';
import { AuditService } from '../audit/audit.service';
import { filterByClinicDay, listStatement } from '../common/day-list.repository';
import { ErrorCode, fail } from '../common/errors';
import { localDateTime } from '../common/timezone';
import { AppointmentStatus } from './appointment.entity';
import {
  ChangeAppointmentStatusDto,
  CreateAppointmentDto,
  ListAppointmentsQuery,
  MAX_APPOINTMENT_MINUTES,
  UpdateAppointmentDto,
} from './dto/appointment.dto';
import { isPgError, PG } from '../common/pg-error';
import { Page, pageWindow } from '../common/page';

/** An appointment as read: its instants in UTC, and its clinic's time zone. */
interface AppointmentRow {
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

/** An appointment as answered: also its start and end on the clinic's clock, with the offset ("2031-03-03T10:30:00+05:30"). */
export interface AppointmentView extends AppointmentRow {
  startsAtLocal: string;
  endsAtLocal: string;
}

/** The statuses an appointment may move to, from each status. Anything else is refused. */
export const TRANSITIONS: Record<AppointmentStatus, readonly AppointmentStatus[]> = {
  scheduled: ['checked_in', 'cancelled', 'no_show'],
  checked_in: ['completed', 'cancelled'],
  completed: [],
  cancelled: [],
  no_show: [],
};

/** Statuses that hold the doctor's time (the exclusion constraint's WHERE): cancelled and no-show free it. */
const DOUBLE_BOOKING = 'appointments_no_double_booking';
const DEFAULT_SLOT_MINUTES = 15;
const MINUTE = 60_000;
/** How far in the past a booking may start (clock skew, a walk-in entered as it happens). */
export const PAST_GRACE_MINUTES = 5;

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

function instant(value: string, name: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw fail(ErrorCode.InvalidTimeRange, `${name} is not a valid date-time`);
  return date;
}

/** Checks an appointment's start and end: in order, at most 12 hours, within sane years. */
function checkRange(startsAt: Date, endsAt: Date): void {
  const year = startsAt.getUTCFullYear();
  if (year < 2000 || year > 2199) throw fail(ErrorCode.InvalidTimeRange, 'startsAt must be between the years 2000 and 2199');
  if (endsAt.getTime() <= startsAt.getTime()) throw fail(ErrorCode.InvalidTimeRange, 'endsAt must be after startsAt');
  if (endsAt.getTime() - startsAt.getTime() > MAX_APPOINTMENT_MINUTES * MINUTE) {
    throw fail(ErrorCode.InvalidTimeRange, 'An appointment lasts at most 12 hours');
  }
}

/** Refuses a start more than PAST_GRACE_MINUTES ago. */
function assertNotPast(startsAt: Date): void {
  if (startsAt.getTime() < Date.now() - PAST_GRACE_MINUTES * MINUTE) {
    throw fail(ErrorCode.AppointmentInPast, 'An appointment cannot start in the past');
  }
}

/** The row as answered, with its times on the clinic's clock. */
function view(row: AppointmentRow): AppointmentView {
  return { ...row, startsAtLocal: localDateTime(row.startsAt, row.timeZone), endsAtLocal: localDateTime(row.endsAt, row.timeZone) };
}

function outsideHours(): Error {
  return fail(ErrorCode.OutsideDoctorHours, "This time is outside the doctor's hours at this clinic");
}

function slotTaken(): Error {
  return fail(ErrorCode.AppointmentSlotTaken, 'The doctor already has an appointment that overlaps this time');
}

@Injectable()
export class AppointmentsService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
  ) {}

  async create(dto: CreateAppointmentDto): Promise<AppointmentView> {
    const orgId = this.context.orgId;
    if (dto.endsAt && dto.durationMinutes) throw fail(ErrorCode.InvalidTimeRange, 'Give endsAt or durationMinutes, not both');
    const startsAt = instant(dto.startsAt, 'startsAt');
    if (!this.context.canAccessClinic(dto.clinicId)) throw fail(ErrorCode.ClinicNotFound, 'Clinic not found');
    const [check] = await runPrepared<{
      clinic: boolean;
      slotMinutes: number | null;
      patient: boolean;
      doctorActive: boolean | null;
      atClinic: boolean;
    }>(this.tx.manager, BOOKING_CHECK, [orgId, dto.clinicId, dto.patientId, dto.doctorId]);
    if (!check.clinic) throw fail(ErrorCode.ClinicNotFound, 'Clinic not found');
    if (!check.patient) throw fail(ErrorCode.PatientNotFound, 'Patient not found');
    if (check.doctorActive === null) throw fail(ErrorCode.DoctorNotFound, 'Doctor not found');
    if (!check.doctorActive) throw fail(ErrorCode.DoctorInactive, 'This doctor is inactive and cannot be booked');
    if (!check.atClinic) throw fail(ErrorCode.DoctorNotAtClinic, 'This doctor does not practise at this clinic');

    const endsAt = dto.endsAt
      ? instant(dto.endsAt, 'endsAt')
      : new Date(startsAt.getTime() + (dto.durationMinutes ?? check.slotMinutes ?? DEFAULT_SLOT_MINUTES) * MINUTE);
    checkRange(startsAt, endsAt);
    assertNotPast(startsAt);
    await this.assertWithinHours(dto.doctorId, dto.clinicId, startsAt, endsAt);

    let row: AppointmentRow;
    try {
      [row] = await runPrepared<AppointmentRow>(this.tx.manager, INSERT, [
        orgId,
        randomUUID(),
        dto.clinicId,
        dto.patientId,
        dto.doctorId,
        startsAt,
        endsAt,
        dto.reason ?? null,
        this.context.userId,
      ]);
    } catch (err) {
      if (isPgError(err, PG.exclusionViolation, DOUBLE_BOOKING)) throw slotTaken();
      throw err;
    }
    await this.audit.record({
      action: 'appointment.create',
      resourceType: 'appointment',
      resourceId: row.id,
      clinicId: row.clinicId,
      details: { patientId: row.patientId, doctorId: row.doctorId },
    });
    return view(row);
  }

  async get(id: string): Promise<AppointmentView> {
    const appointment = await this.find(id);
    await this.audit.record({ action: 'appointment.read', resourceType: 'appointment', resourceId: id, clinicId: appointment.clinicId });
    return view(appointment);
  }

  /**
   * Appointments ordered by start. A `date` is a day in the clinic's time zone: the given clinic's,
   * or each appointment's own clinic's when listing a doctor's or a patient's day.
   */
  async list(query: ListAppointmentsQuery): Promise<Page<AppointmentView>> {
    const orgId = this.context.orgId;
    const { limit, offset } = pageWindow(query);
    const values: unknown[] = [orgId, limit + 1, offset];
    const param = (value: unknown) => `$${values.push(value)}`;
    const where = ['a.organization_id = $1'];
    const from = `appointments a${await filterByClinicDay(this.tx.sql, this.context, query, 'a', 'starts_at', param, where)}`;
    if (query.doctorId) where.push(`a.doctor_id = ${param(query.doctorId)}`);
    if (query.patientId) where.push(`a.patient_id = ${param(query.patientId)}`);
    if (query.status) where.push(`a.status = ${param(query.status)}`);

    const text = `select ${COLUMNS} from ${from} where ${where.join(' and ')} order by a.starts_at, a.id limit $2 offset $3`;
    const rows = await runPrepared<AppointmentRow>(this.tx.manager, listStatement(text), values);
    const items = rows.slice(0, limit).map(view);
    await this.audit.record({
      action: 'appointment.list',
      resourceType: 'appointment',
      clinicId: query.clinicId ?? null,
      details: { count: items.length, ids: items.map((a) => a.id) },
    });
    return { items, limit, offset, hasMore: rows.length > limit };
  }

  /** Reschedules (while scheduled) and/or changes the reason (while scheduled or checked in). */
  async update(id: string, dto: UpdateAppointmentDto): Promise<AppointmentView> {
    if (dto.endsAt && dto.durationMinutes) throw fail(ErrorCode.InvalidTimeRange, 'Give endsAt or durationMinutes, not both');
    const current = await this.find(id, true);
    const reschedule = dto.startsAt !== undefined || dto.endsAt !== undefined || dto.durationMinutes !== undefined;
    if (reschedule && current.status !== 'scheduled') {
      throw fail(ErrorCode.AppointmentNotEditable, `A ${current.status} appointment cannot be rescheduled`);
    }
    if (!reschedule && !TRANSITIONS[current.status].length) {
      throw fail(ErrorCode.AppointmentNotEditable, `A ${current.status} appointment cannot be changed`);
    }
    const startsAt = dto.startsAt ? instant(dto.startsAt, 'startsAt') : current.startsAt;
    const length = current.endsAt.getTime() - current.startsAt.getTime();
    const endsAt = dto.endsAt
      ? instant(dto.endsAt, 'endsAt')
      : dto.durationMinutes
        ? new Date(startsAt.getTime() + dto.durationMinutes * MINUTE)
        : new Date(startsAt.getTime() + length);
    if (reschedule) {
      checkRange(startsAt, endsAt);
      if (dto.startsAt !== undefined) assertNotPast(startsAt);
      await this.assertWithinHours(current.doctorId, current.clinicId, startsAt, endsAt);
    }
    const reason = dto.reason === undefined ? current.reason : dto.reason;

    let row: AppointmentRow;
    try {
      [row] = await runPrepared<AppointmentRow>(this.tx.manager, UPDATE, [this.context.orgId, id, startsAt, endsAt, reason]);
    } catch (err) {
      if (isPgError(err, PG.exclusionViolation, DOUBLE_BOOKING)) throw slotTaken();
      throw err;
    }
    await this.audit.record({
      action: 'appointment.update',
      resourceType: 'appointment',
      resourceId: id,
      clinicId: row.clinicId,
      details: { fields: Object.keys(dto) },
    });
    return view(row);
  }

  async changeStatus(id: string, dto: ChangeAppointmentStatusDto): Promise<AppointmentView> {
    const current = await this.find(id, true);
    if (!TRANSITIONS[current.status].includes(dto.status)) {
      throw fail(ErrorCode.InvalidStatusTransition, `An appointment cannot go from ${current.status} to ${dto.status}`);
    }
    const [row] = await runPrepared<AppointmentRow>(this.tx.manager, SET_STATUS, [this.context.orgId, id, dto.status]);
    await this.audit.record({
      action: 'appointment.status',
      resourceType: 'appointment',
      resourceId: id,
      clinicId: row.clinicId,
      details: { from: current.status, to: dto.status },
    });
    return view(row);
  }

  /** One appointment the caller may see (RLS hides other orgs' and other clinics'), locked when it is about to change. */
  private async assertWithinHours(doctorId: string, clinicId: string, startsAt: Date, endsAt: Date): Promise<void> {
    const [row] = await runPrepared<{ ok: boolean }>(this.tx.manager, WITHIN_HOURS, [this.context.orgId, doctorId, clinicId, startsAt, endsAt]);
    if (row && !row.ok) throw outsideHours();
  }

  private async find(id: string, forUpdate = false): Promise<AppointmentRow> {
    const [row] = await runPrepared<AppointmentRow>(this.tx.manager, forUpdate ? FIND_FOR_UPDATE : FIND, [this.context.orgId, id]);
    if (!row) throw fail(ErrorCode.AppointmentNotFound, 'Appointment not found');
    return row;
  }
}
