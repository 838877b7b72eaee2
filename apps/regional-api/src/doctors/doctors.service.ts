import { Injectable } from '@nestjs/common';
import { onViolation } from '@medgenie/database';
import { RequestContext } from '@medgenie/tenancy';
import { AuditService } from '../audit/audit.service';
import { ErrorCode, fail } from '../common/errors';
import { assertWithinLimit } from '../organizations/plan-limits';
import { PlanLimitsRepository } from '../organizations/plan-limits.repository';
import {
  DOCTOR_LICENSE_UNIQUE,
  DOCTOR_MEMBERSHIP_UNIQUE,
  DoctorPatch,
  DoctorRow,
  DoctorsRepository,
} from './doctors.repository';
import { ScheduleWindow } from './doctors.types';
import { CreateDoctorDto, ListDoctorsQuery, SetDoctorClinicDto, UpdateDoctorDto } from './dto/doctor.dto';

/** A doctor as the API answers: the row, its fee as a number. */
export type DoctorView = Omit<DoctorRow, 'consultationFee'> & { consultationFee: number | null };

/** Roles whose memberships may carry a doctor profile. */
const DOCTOR_ROLES = ['doctor', 'org_admin'];

const licenseTaken = () => fail(ErrorCode.LicenseNumberTaken, 'Another doctor of this organization has this license number');
const profileExists = () => fail(ErrorCode.DoctorExists, 'This membership already has a doctor profile');

function view(row: DoctorRow): DoctorView {
  return { ...row, consultationFee: row.consultationFee === null ? null : Number(row.consultationFee) };
}

const minutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
const WEEKDAYS = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/**
 * A weekly schedule, checked and put in order: each window starts before it ends, and windows of
 * one weekday do not overlap (touching, 09:00-13:00 then 13:00-17:00, is fine).
 */
export function normalizeSchedule(windows: ScheduleWindow[]): ScheduleWindow[] {
  const sorted = windows
    .map((w) => ({ weekday: w.weekday, start: w.start, end: w.end }))
    .sort((x, y) => x.weekday - y.weekday || minutes(x.start) - minutes(y.start));
  for (const [i, w] of sorted.entries()) {
    if (minutes(w.start) >= minutes(w.end)) {
      throw fail(ErrorCode.InvalidSchedule, `${WEEKDAYS[w.weekday]} ${w.start}-${w.end}: the start must be before the end`);
    }
    const previous = sorted[i - 1];
    if (previous && previous.weekday === w.weekday && minutes(previous.end) > minutes(w.start)) {
      throw fail(
        ErrorCode.InvalidSchedule,
        `${WEEKDAYS[w.weekday]} ${previous.start}-${previous.end} overlaps ${w.start}-${w.end}`,
      );
    }
  }
  return sorted;
}

function feeColumn(fee: number | null | undefined): string | null | undefined {
  return fee === undefined || fee === null ? fee : fee.toFixed(2);
}

@Injectable()
export class DoctorsService {
  constructor(
    private readonly doctors: DoctorsRepository,
    private readonly limits: PlanLimitsRepository,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
  ) {}

  /**
   * The profile of a membership, made if it has none, at the clinics given: provisioning's, for the
   * org's first admin and for every member with the role doctor.
   */
  async ensureProfile(membershipId: string, clinicIds: string[]): Promise<{ doctorId: string; created: boolean }> {
    // A doctor is a doctor profile: a new one counts against the plan here as through the API.
    if (!(await this.doctors.existsForMembership(membershipId))) {
      await assertWithinLimit(this.limits, 'maxDoctors', () => this.doctors.count());
    }
    return this.doctors.ensureProfile(membershipId, clinicIds);
  }

  async create(dto: CreateDoctorDto): Promise<DoctorView> {
    const membership = await this.doctors.findMembership(dto.membershipId);
    if (!membership) throw fail(ErrorCode.MembershipNotFound, 'Membership not found');
    if (!DOCTOR_ROLES.includes(membership.role)) {
      throw fail(ErrorCode.MembershipNotADoctor, `A ${membership.role} membership cannot have a doctor profile`);
    }
    if (await this.doctors.existsForMembership(membership.id)) throw profileExists();
    await assertWithinLimit(this.limits, 'maxDoctors', () => this.doctors.count());
    const { doctorId, created } = await this.doctors.ensureProfile(membership.id, []);
    if (!created) throw profileExists();
    await this.write(doctorId, dto);
    this.audit.record({ action: 'doctor.create', resourceType: 'doctor', resourceId: doctorId });
    return this.find(doctorId);
  }

  async list(query: ListDoctorsQuery): Promise<DoctorView[]> {
    const rows = await this.doctors.list({ clinicId: query.clinicId, specialization: query.specialization, active: query.active });
    this.audit.recordList({ action: 'doctor.list', resourceType: 'doctor', clinicId: query.clinicId ?? null }, rows);
    return rows.map(view);
  }

  async get(id: string): Promise<DoctorView> {
    const doctor = await this.find(id);
    this.audit.record({ action: 'doctor.read', resourceType: 'doctor', resourceId: id });
    return doctor;
  }

  /** An org admin edits any profile; a doctor edits their own, except whether it is active. */
  async update(id: string, dto: UpdateDoctorDto): Promise<DoctorView> {
    const doctor = await this.find(id);
    if (this.context.role !== 'org_admin') {
      if (doctor.membershipId !== this.context.membershipId) {
        throw fail(ErrorCode.RoleRequired, 'Only an org admin or the doctor themselves may edit this profile');
      }
      if (dto.isActive !== undefined) throw fail(ErrorCode.RoleRequired, 'Only an org admin may activate or deactivate a doctor');
    }
    await this.write(id, dto);
    this.audit.record({ action: 'doctor.update', resourceType: 'doctor', resourceId: id, details: { fields: Object.keys(dto) } });
    return this.find(id);
  }

  /** Says the doctor practises at the clinic, with these weekly hours (replacing any before). */
  async setClinic(id: string, clinicId: string, dto: SetDoctorClinicDto): Promise<DoctorView> {
    await this.find(id);
    await this.findClinic(clinicId);
    const schedule = normalizeSchedule(dto.schedule);
    const { inserted } = await this.doctors.upsertClinic(id, clinicId, schedule);
    this.audit.record({
      action: inserted ? 'doctor.clinic.add' : 'doctor.clinic.update',
      resourceType: 'doctor',
      resourceId: id,
      clinicId,
      details: { windows: schedule.length },
    });
    return this.find(id);
  }

  async removeClinic(id: string, clinicId: string): Promise<void> {
    await this.find(id);
    await this.findClinic(clinicId);
    const removed = await this.doctors.removeClinic(id, clinicId);
    if (!removed) throw fail(ErrorCode.DoctorClinicNotFound, 'The doctor does not practise at this clinic');
    this.audit.record({ action: 'doctor.clinic.remove', resourceType: 'doctor', resourceId: id, clinicId });
  }

  private async write(id: string, dto: UpdateDoctorDto): Promise<void> {
    const patch: DoctorPatch = {
      licenseNumber: dto.licenseNumber,
      specialization: dto.specialization,
      qualifications: dto.qualifications,
      consultationFee: feeColumn(dto.consultationFee),
      bio: dto.bio,
      isActive: dto.isActive,
    };
    try {
      await this.doctors.update(id, patch);
    } catch (err) {
      throw onViolation(err, { [DOCTOR_LICENSE_UNIQUE]: licenseTaken, [DOCTOR_MEMBERSHIP_UNIQUE]: profileExists });
    }
  }

  private async find(id: string): Promise<DoctorView> {
    const row = await this.doctors.findById(id);
    if (!row) throw fail(ErrorCode.DoctorNotFound, 'Doctor not found');
    return view(row);
  }

  /** Clinics RLS hides from the caller answer 404, as another org's would. */
  private async findClinic(clinicId: string): Promise<void> {
    if (!(await this.doctors.clinicExists(clinicId))) throw fail(ErrorCode.ClinicNotFound, 'Clinic not found');
  }
}
