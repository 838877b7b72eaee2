import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { isUniqueViolation, prepared, runPrepared, TransactionHost } from '@medgenie/database';
import { RequestContext } from '@medgenie/tenancy';
import { AuditService } from '../audit/audit.service';
import { Clinic } from '../clinics/clinic.entity';
import { ErrorCode, fail } from '../common/errors';
import { Membership } from '../memberships/membership.entity';
import { assertWithinLimit } from '../organizations/plan-limits';
import { Doctor, DoctorClinic, ScheduleWindow } from './doctor.entity';
import { CreateDoctorDto, ListDoctorsQuery, SetDoctorClinicDto, UpdateDoctorDto } from './dto/doctor.dto';

export interface DoctorClinicView {
  clinicId: string;
  clinicName: string;
  schedule: ScheduleWindow[];
}

export interface DoctorView {
  id: string;
  membershipId: string;
  userId: string;
  displayName: string;
  /** The membership's role: a doctor, or an org admin who also practises (self-registration). */
  role: string;
  licenseNumber: string | null;
  specialization: string | null;
  qualifications: string[];
  consultationFee: number | null;
  bio: string | null;
  isActive: boolean;
  /** The clinics the doctor practises at, among those the caller may see. */
  clinics: DoctorClinicView[];
  createdAt: Date;
  updatedAt: Date;
}

type DoctorRow = Omit<DoctorView, 'consultationFee'> & { consultationFee: string | null };

/** Roles whose memberships may carry a doctor profile. */
const DOCTOR_ROLES = ['doctor', 'org_admin'];

/**
 * A doctor with the membership's name and the clinics they practise at. The clinics come through a
 * join on `clinics`, whose row-level security narrows staff to the clinics they are granted.
 */
const SELECT_DOCTORS = `select d.id, d.membership_id as "membershipId", m.user_id as "userId", m.display_name as "displayName",
    m.role, d.license_number as "licenseNumber", d.specialization, d.qualifications, d.consultation_fee as "consultationFee",
    d.bio, d.is_active as "isActive", d.created_at as "createdAt", d.updated_at as "updatedAt",
    coalesce((select jsonb_agg(jsonb_build_object('clinicId', dc.clinic_id, 'clinicName', c.name, 'schedule', dc.schedule)
                               order by c.is_primary desc, c.name, c.id)
                from doctor_clinics dc
                join clinics c on c.organization_id = dc.organization_id and c.id = dc.clinic_id
               where dc.organization_id = d.organization_id and dc.doctor_id = d.id), '[]'::jsonb) as clinics
  from doctors d
  join memberships m on m.organization_id = d.organization_id and m.id = d.membership_id`;

const FIND_DOCTOR = prepared(`${SELECT_DOCTORS} where d.organization_id = $1 and d.id = $2`);

/** $2 clinic, $3 specialization, $4 active: each NULL when not filtered on. */
const LIST_DOCTORS = prepared(`${SELECT_DOCTORS}
  where d.organization_id = $1
    and ($2::uuid is null or exists (
          select 1 from doctor_clinics dc
            join clinics c on c.organization_id = dc.organization_id and c.id = dc.clinic_id
           where dc.organization_id = d.organization_id and dc.doctor_id = d.id and dc.clinic_id = $2::uuid))
    and ($3::text is null or lower(d.specialization) = lower($3::text))
    and ($4::boolean is null or d.is_active = $4::boolean)
  order by m.display_name, d.id`);

const ENSURE_PROFILE = `insert into doctors (organization_id, membership_id) values ($1, $2)
  on conflict on constraint doctors_membership_unique do nothing returning id`;
const LINK_CLINICS = `insert into doctor_clinics (organization_id, doctor_id, clinic_id)
  select $1, $2, unnest($3::uuid[]) on conflict do nothing`;
const UPSERT_CLINIC = `insert into doctor_clinics (organization_id, doctor_id, clinic_id, schedule) values ($1, $2, $3, $4)
  on conflict (organization_id, doctor_id, clinic_id) do update set schedule = excluded.schedule
  returning (xmax = 0) as inserted`;

const LICENSE_UNIQUE = 'doctors_license_unique';
const MEMBERSHIP_UNIQUE = 'doctors_membership_unique';

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
    private readonly tx: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
  ) {}

  /**
   * The profile of a membership, made if it has none (idempotent): provisioning calls it for the
   * org's first admin and for every member with the role doctor. A new profile practises at the
   * given clinics, hours not set yet; an existing one is left exactly as it is.
   */
  static async ensureProfile(
    manager: EntityManager,
    orgId: string,
    membershipId: string,
    clinicIds: string[],
  ): Promise<{ doctorId: string; created: boolean }> {
    const inserted: { id: string }[] = await manager.query(ENSURE_PROFILE, [orgId, membershipId]);
    if (inserted.length === 0) {
      const existing = await manager.getRepository(Doctor).findOneByOrFail({ organizationId: orgId, membershipId });
      return { doctorId: existing.id, created: false };
    }
    const doctorId = inserted[0].id;
    if (clinicIds.length > 0) await manager.query(LINK_CLINICS, [orgId, doctorId, [...new Set(clinicIds)]]);
    return { doctorId, created: true };
  }

  async create(dto: CreateDoctorDto): Promise<DoctorView> {
    const orgId = this.context.orgId;
    const membership = await this.tx.manager.getRepository(Membership).findOneBy({ organizationId: orgId, id: dto.membershipId });
    if (!membership) throw fail(ErrorCode.MembershipNotFound, 'Membership not found');
    if (!DOCTOR_ROLES.includes(membership.role)) {
      throw fail(ErrorCode.MembershipNotADoctor, `A ${membership.role} membership cannot have a doctor profile`);
    }
    if (await this.repo.existsBy({ organizationId: orgId, membershipId: membership.id })) {
      throw fail(ErrorCode.DoctorExists, 'This membership already has a doctor profile');
    }
    await assertWithinLimit(this.tx.manager, orgId, 'maxDoctors', (m) => m.getRepository(Doctor).countBy({ organizationId: orgId }));
    const { doctorId, created } = await DoctorsService.ensureProfile(this.tx.manager, orgId, membership.id, []);
    if (!created) throw fail(ErrorCode.DoctorExists, 'This membership already has a doctor profile');
    await this.write(doctorId, dto);
    await this.audit.record({ action: 'doctor.create', resourceType: 'doctor', resourceId: doctorId });
    return this.find(doctorId);
  }

  async list(query: ListDoctorsQuery): Promise<DoctorView[]> {
    const rows = await runPrepared<DoctorRow>(this.tx.manager, LIST_DOCTORS, [
      this.context.orgId,
      query.clinicId ?? null,
      query.specialization ?? null,
      query.active ?? null,
    ]);
    await this.audit.record({
      action: 'doctor.list',
      resourceType: 'doctor',
      clinicId: query.clinicId ?? null,
      details: { count: rows.length, ids: rows.map((d) => d.id) },
    });
    return rows.map(view);
  }

  async get(id: string): Promise<DoctorView> {
    const doctor = await this.find(id);
    await this.audit.record({ action: 'doctor.read', resourceType: 'doctor', resourceId: id });
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
    await this.audit.record({ action: 'doctor.update', resourceType: 'doctor', resourceId: id, details: { fields: Object.keys(dto) } });
    return this.find(id);
  }

  /** Says the doctor practises at the clinic, with these weekly hours (replacing any before). */
  async setClinic(id: string, clinicId: string, dto: SetDoctorClinicDto): Promise<DoctorView> {
    await this.find(id);
    await this.findClinic(clinicId);
    const schedule = normalizeSchedule(dto.schedule);
    const [row]: { inserted: boolean }[] = await this.tx.manager.query(UPSERT_CLINIC, [
      this.context.orgId,
      id,
      clinicId,
      JSON.stringify(schedule),
    ]);
    await this.audit.record({
      action: row.inserted ? 'doctor.clinic.add' : 'doctor.clinic.update',
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
    const result = await this.tx.manager.getRepository(DoctorClinic).delete({ organizationId: this.context.orgId, doctorId: id, clinicId });
    if (!result.affected) throw fail(ErrorCode.DoctorClinicNotFound, 'The doctor does not practise at this clinic');
    await this.audit.record({ action: 'doctor.clinic.remove', resourceType: 'doctor', resourceId: id, clinicId });
  }

  private get repo() {
    return this.tx.manager.getRepository(Doctor);
  }

  private async write(id: string, dto: UpdateDoctorDto): Promise<void> {
    const patch: Partial<Doctor> = {};
    if (dto.licenseNumber !== undefined) patch.licenseNumber = dto.licenseNumber;
    if (dto.specialization !== undefined) patch.specialization = dto.specialization;
    if (dto.qualifications !== undefined) patch.qualifications = dto.qualifications;
    if (dto.consultationFee !== undefined) patch.consultationFee = feeColumn(dto.consultationFee);
    if (dto.bio !== undefined) patch.bio = dto.bio;
    if (dto.isActive !== undefined) patch.isActive = dto.isActive;
    if (Object.keys(patch).length === 0) return;
    try {
      await this.repo.update({ organizationId: this.context.orgId, id }, patch);
    } catch (err) {
      if (isUniqueViolation(err, LICENSE_UNIQUE)) {
        throw fail(ErrorCode.LicenseNumberTaken, 'Another doctor of this organization has this license number');
      }
      if (isUniqueViolation(err, MEMBERSHIP_UNIQUE)) throw fail(ErrorCode.DoctorExists, 'This membership already has a doctor profile');
      throw err;
    }
  }

  private async find(id: string): Promise<DoctorView> {
    const [row] = await runPrepared<DoctorRow>(this.tx.manager, FIND_DOCTOR, [this.context.orgId, id]);
    if (!row) throw fail(ErrorCode.DoctorNotFound, 'Doctor not found');
    return view(row);
  }

  /** Clinics RLS hides from the caller answer 404, as another org's would. */
  private async findClinic(clinicId: string): Promise<void> {
    const exists = await this.tx.manager.getRepository(Clinic).existsBy({ organizationId: this.context.orgId, id: clinicId });
    if (!exists) throw fail(ErrorCode.ClinicNotFound, 'Clinic not found');
  }
}
