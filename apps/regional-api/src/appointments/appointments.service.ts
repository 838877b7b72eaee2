import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { onViolation } from '@medgenie/database';
import { RequestContext } from '@medgenie/tenancy';
import { AuditService } from '../audit/audit.service';
import { ErrorCode, fail } from '../common/errors';
import { Page, pageOf, pageWindow } from '../common/page';
import { localDateTime } from '../common/timezone';
import { APPOINTMENT_NO_DOUBLE_BOOKING, AppointmentRow, AppointmentsRepository } from './appointments.repository';
import { AppointmentStatus } from './appointments.types';
import {
  ChangeAppointmentStatusDto,
  CreateAppointmentDto,
  ListAppointmentsQuery,
  MAX_APPOINTMENT_MINUTES,
  UpdateAppointmentDto,
} from './dto/appointment.dto';

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

const DEFAULT_SLOT_MINUTES = 15;
const MINUTE = 60_000;
/** How far in the past a booking may start (clock skew, a walk-in entered as it happens). */
export const PAST_GRACE_MINUTES = 5;

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
    private readonly appointments: AppointmentsRepository,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
  ) {}

  async create(dto: CreateAppointmentDto): Promise<AppointmentView> {
    if (dto.endsAt && dto.durationMinutes) throw fail(ErrorCode.InvalidTimeRange, 'Give endsAt or durationMinutes, not both');
    const startsAt = instant(dto.startsAt, 'startsAt');
    if (!this.context.canAccessClinic(dto.clinicId)) throw fail(ErrorCode.ClinicNotFound, 'Clinic not found');
    const check = await this.appointments.bookingCheck(dto.clinicId, dto.patientId, dto.doctorId);
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
      row = await this.appointments.insert({
        id: randomUUID(),
        clinicId: dto.clinicId,
        patientId: dto.patientId,
        doctorId: dto.doctorId,
        startsAt,
        endsAt,
        reason: dto.reason ?? null,
        createdBy: this.context.userId,
      });
    } catch (err) {
      throw onViolation(err, { [APPOINTMENT_NO_DOUBLE_BOOKING]: slotTaken });
    }
    this.audit.record({
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
    this.audit.record({ action: 'appointment.read', resourceType: 'appointment', resourceId: id, clinicId: appointment.clinicId });
    return view(appointment);
  }

  /**
   * Appointments ordered by start. A `date` is a day in the clinic's time zone: the given clinic's,
   * or each appointment's own clinic's when listing a doctor's or a patient's day.
   */
  async list(query: ListAppointmentsQuery): Promise<Page<AppointmentView>> {
    const window = pageWindow(query);
    const page = pageOf(await this.appointments.list(this.context, query, window.limit + 1, window.offset), window);
    this.audit.recordList({ action: 'appointment.list', resourceType: 'appointment', clinicId: query.clinicId ?? null }, page.items);
    return { ...page, items: page.items.map(view) };
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
      row = await this.appointments.update(id, startsAt, endsAt, reason);
    } catch (err) {
      throw onViolation(err, { [APPOINTMENT_NO_DOUBLE_BOOKING]: slotTaken });
    }
    this.audit.record({
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
    const row = await this.appointments.setStatus(id, dto.status);
    this.audit.record({
      action: 'appointment.status',
      resourceType: 'appointment',
      resourceId: id,
      clinicId: row.clinicId,
      details: { from: current.status, to: dto.status },
    });
    return view(row);
  }

  /** Refuses a time outside the doctor's hours at the clinic (hours not set: any time). */
  private async assertWithinHours(doctorId: string, clinicId: string, startsAt: Date, endsAt: Date): Promise<void> {
    if ((await this.appointments.withinHours(doctorId, clinicId, startsAt, endsAt)) === false) throw outsideHours();
  }

  /** One appointment the caller may see (RLS hides other orgs' and other clinics'), locked when it is about to change. */
  private async find(id: string, forUpdate = false): Promise<AppointmentRow> {
    const row = forUpdate ? await this.appointments.lockForUpdate(id) : await this.appointments.findById(id);
    if (!row) throw fail(ErrorCode.AppointmentNotFound, 'Appointment not found');
    return row;
  }
}
