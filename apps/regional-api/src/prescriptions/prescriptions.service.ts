import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { prepared, PreparedStatement, runPrepared, TransactionHost } from '@medgenie/database';
import { RequestContext } from '@medgenie/tenancy';
import { isPgError, PG } from '../common/pg-error';
import { AuditService } from '../audit/audit.service';
import { filterByClinicDay, listStatement } from '../common/day-list.repository';
import { ErrorCode, fail } from '../common/errors';
import { ShortKeysService } from '../short-keys/short-keys.service';
import {
  AmendPrescriptionDto,
  CreatePrescriptionDto,
  ListPrescriptionsQuery,
  MAX_ITEMS,
  PrescriptionItemDto,
  UpdatePrescriptionDto,
} from './dto/prescription.dto';
import { PrescriptionStatus } from './prescription.entity';
import { Page, pageWindow } from '../common/page';

export interface PrescriptionItemView {
  id: string;
  position: number;
  medicineId: string;
  /** The medicine's name as it read when prescribed. */
  medicineName: string;
  dosage: string;
  frequency: string;
  duration: string;
  quantity: number | null;
  instructions: string | null;
  /** The short key the line came from, if any. */
  shortKeyId: string | null;
}

export interface PrescriptionView {
  id: string;
  clinicId: string;
  patientId: string;
  doctorId: string;
  appointmentId: string | null;
  status: PrescriptionStatus;
  version: number;
  /** The prescription this one amends (its previous version). */
  amendsId: string | null;
  /** The amendment that replaced this one (its next version), once there is one. */
  amendedById: string | null;
  /** Why this version amends the previous one (amendments only). */
  amendmentReason: string | null;
  diagnosis: string | null;
  notes: string | null;
  finalizedAt: Date | null;
  finalizedBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  items: PrescriptionItemView[];
}

/** A line about to be written: the medicine's name is read from the catalogue in the insert itself. */
interface Line {
  medicineId: string;
  dosage: string;
  frequency: string;
  duration: string;
  quantity: number | null;
  instructions: string | null;
  shortKeyId: string | null;
}

interface Locked {
  id: string;
  clinicId: string;
  doctorId: string;
  status: PrescriptionStatus;
}

const FINAL_IMMUTABLE = 'prescriptions_final_immutable';
const ONE_AMENDMENT = 'prescriptions_one_amendment';
const APPOINTMENT_AGREES = 'prescriptions_appointment_agrees';
const MEDICINE_IN_SCOPE = 'prescription_items_medicine_in_scope';

const ITEM_JSON = `json_build_object('id', i.id, 'position', i.position, 'medicineId', i.medicine_id, 'medicineName', i.medicine_name,
  'dosage', i.dosage, 'frequency', i.frequency, 'duration', i.duration, 'quantity', i.quantity, 'instructions', i.instructions,
  'shortKeyId', i.short_key_id)`;

/** A prescription's own columns (`p`), named as the view's properties. */
const OWN_COLUMNS = `p.id, p.clinic_id as "clinicId", p.patient_id as "patientId", p.doctor_id as "doctorId",
  p.appointment_id as "appointmentId", p.status, p.version, p.amends_id as "amendsId",
  p.amendment_reason as "amendmentReason", p.diagnosis, p.notes,
  p.finalized_at as "finalizedAt", p.finalized_by as "finalizedBy", p.created_at as "createdAt", p.updated_at as "updatedAt"`;

/** The whole view: own columns, the amendment that replaced it, and its lines in order. */
const SELECT = `select ${OWN_COLUMNS},
    (select x.id from prescriptions x where x.organization_id = p.organization_id and x.amends_id = p.id) as "amendedById",
    coalesce((select json_agg(${ITEM_JSON} order by i.position) from prescription_items i
               where i.organization_id = p.organization_id and i.prescription_id = p.id), '[]'::json) as items
  from prescriptions p`;

const FIND = prepared(`${SELECT} where p.organization_id = $1 and p.id = $2`);

/** Locks a prescription for a change, so finalizing and editing cannot interleave. */
const LOCK = prepared(`select p.id, p.clinic_id as "clinicId", p.doctor_id as "doctorId", p.status
  from prescriptions p where p.organization_id = $1 and p.id = $2 for update`);

const OWN_DOCTOR = prepared(`select id, is_active as "isActive" from doctors where organization_id = $1 and membership_id = $2`);

const APPOINTMENT = prepared(`select clinic_id as "clinicId", patient_id as "patientId", doctor_id as "doctorId"
  from appointments where organization_id = $1 and id = $2`);

/** Clinic (RLS hides one the caller may not access), patient, doctor (by $4) and whether the doctor practises at the clinic. */
const checks = (doctorMatch: string) =>
  prepared(`select (select true from clinics c where c.organization_id = $1 and c.id = $2) as clinic,
         exists (select 1 from patients pt where pt.organization_id = $1 and pt.id = $3) as patient,
         d.id as "doctorId", d.is_active as "doctorActive",
         exists (select 1 from doctor_clinics dc where dc.organization_id = $1 and dc.doctor_id = d.id and dc.clinic_id = $2) as "atClinic"
    from (values (1)) one
    left join doctors d on d.organization_id = $1 and ${doctorMatch} = $4`);
const CHECKS_BY_MEMBERSHIP = checks('d.membership_id');
const CHECKS_BY_DOCTOR = checks('d.id');

/**
 * Lines from parallel arrays ($first .. $first+6), numbered from $start, each joined to the
 * catalogue: the join takes the name snapshot and drops a medicine the org cannot see (RLS) or
 * that is inactive, which the caller detects by the count.
 */
function linesSelect(org: string, clinic: string, prescription: string, start: string, first: number): string {
  const [m, dosage, frequency, duration, quantity, instructions, shortKey] = Array.from({ length: 7 }, (_, i) => `$${first + i}`);
  return `select ${org}, ${clinic}, ${prescription}, ${start} + u.ord - 1, u.medicine_id, m.name, u.dosage, u.frequency, u.duration,
           u.quantity, u.instructions, u.short_key_id
      from unnest(${m}::uuid[], ${dosage}::text[], ${frequency}::text[], ${duration}::text[], ${quantity}::int[], ${instructions}::text[],
                  ${shortKey}::uuid[]) with ordinality as u(medicine_id, dosage, frequency, duration, quantity, instructions, short_key_id, ord)
      join medicines m on m.id = u.medicine_id and m.is_active`;
}

const ITEM_COLUMNS = `organization_id, clinic_id, prescription_id, position, medicine_id, medicine_name, dosage, frequency, duration,
  quantity, instructions, short_key_id`;

/**
 * A new prescription and all its lines in ONE statement (one round trip, one multi-row insert for
 * the lines), returning the whole view. The statement checks what it needs as it goes: the clinic
 * (RLS hides one the caller may not access), the patient, the prescribing doctor ($5: the
 * caller's membership, or a doctor id) active and practising at the clinic. When one is missing
 * nothing is written and no row comes back; the caller then asks which one (`checks`).
 * The audit event is written by the same statement (the columns AuditService writes), so the
 * whole write is as many round trips as the plain inserts would be, or fewer.
 * $1 org, $2 id, $3 clinic, $4 patient, $5 doctor match, $6 appointment, $7 diagnosis, $8 notes,
 * $9 created by (the acting user), $10..$16 the lines, $17 request id, $18 short key ids (JSON).
 */
const create = (doctorMatch: string) =>
  prepared(`with ctx as (
    select c.id as clinic_id, d.id as doctor_id
      from clinics c
      join doctors d on d.organization_id = c.organization_id and ${doctorMatch} = $5 and d.is_active
      join doctor_clinics dc on dc.organization_id = c.organization_id and dc.doctor_id = d.id and dc.clinic_id = c.id
     where c.organization_id = $1 and c.id = $3
       and exists (select 1 from patients pt where pt.organization_id = $1 and pt.id = $4)
  ), p as (
    insert into prescriptions (organization_id, id, clinic_id, patient_id, doctor_id, appointment_id, diagnosis, notes, created_by)
    select $1, $2, ctx.clinic_id, $4, ctx.doctor_id, $6, $7, $8, $9 from ctx
    returning *
  ), i as (
    insert into prescription_items (${ITEM_COLUMNS})
    ${linesSelect('p.organization_id', 'p.clinic_id', 'p.id', '0', 10)}
      cross join p
    returning *
  ), audit as (
    insert into audit_events (organization_id, actor_type, actor_user_id, clinic_id, action, resource_type, resource_id, request_id, details)
    select p.organization_id, 'user', $9, p.clinic_id, 'prescription.create', 'prescription', p.id, $17,
           jsonb_build_object('patientId', p.patient_id, 'appointmentId', p.appointment_id, 'items', (select count(*) from i), 'shortKeyIds', $18::jsonb)
      from p
  )
  select ${OWN_COLUMNS}, null::uuid as "amendedById",
         coalesce((select json_agg(${ITEM_JSON} order by i.position) from i), '[]'::json) as items
    from p`);
const CREATE_BY_MEMBERSHIP = create('d.membership_id');
const CREATE_BY_DOCTOR = create('d.id');

/** Appends lines to a draft from position $4: $1 org, $2 clinic, $3 prescription, $5..$11 the lines. Returns how many were written. */
const APPEND_LINES = prepared(`with i as (
    insert into prescription_items (${ITEM_COLUMNS})
    ${linesSelect('$1::uuid', '$2::uuid', '$3::uuid', '$4::int', 5)}
    returning 1
  ) select count(*)::int as n from i`);

/** A draft's line count and the position after its last line, read together. */
const LINES_SO_FAR = prepared(`select count(*)::int as n, coalesce(max(position) + 1, 0)::int as next from prescription_items
  where organization_id = $1 and prescription_id = $2`);
const DELETE_LINES = prepared(`delete from prescription_items where organization_id = $1 and prescription_id = $2`);
const UPDATE_FIELDS = prepared(`update prescriptions set diagnosis = $3, notes = $4 where organization_id = $1 and id = $2`);
const TOUCH = prepared(`update prescriptions set updated_at = now() where organization_id = $1 and id = $2`);
const FINALIZE = prepared(`update prescriptions set status = 'final', finalized_at = now(), finalized_by = $3
  where organization_id = $1 and id = $2 and status = 'draft'`);
const DELETE = prepared(`delete from prescriptions where organization_id = $1 and id = $2 and status = 'draft'`);

/**
 * The next version of a final prescription: a draft with its fields and a copy of its lines as
 * they were written (names as snapshotted then), by the amending doctor, with the amendment's
 * reason and its diagnosis and notes where they change. $1 org, $2 new id, $3 doctor, $4 created
 * by, $5 the original, $6 reason, $7 whether the diagnosis changes, $8 to what, $9 whether the
 * notes change, $10 to what.
 */
const AMEND = prepared(`with p as (
    insert into prescriptions (organization_id, id, clinic_id, patient_id, doctor_id, appointment_id, version, amends_id,
                               amendment_reason, diagnosis, notes, created_by)
    select o.organization_id, $2, o.clinic_id, o.patient_id, $3, o.appointment_id, o.version + 1, o.id, $6::varchar,
           case when $7::boolean then $8::varchar else o.diagnosis end, case when $9::boolean then $10::varchar else o.notes end, $4
      from prescriptions o where o.organization_id = $1 and o.id = $5
    returning *
  ), i as (
    insert into prescription_items (${ITEM_COLUMNS})
    select o.organization_id, o.clinic_id, $2, o.position, o.medicine_id, o.medicine_name, o.dosage, o.frequency, o.duration,
           o.quantity, o.instructions, o.short_key_id
      from prescription_items o where o.organization_id = $1 and o.prescription_id = $5
    returning *
  )
  select ${OWN_COLUMNS}, null::uuid as "amendedById",
         coalesce((select json_agg(${ITEM_JSON} order by i.position) from i), '[]'::json) as items
    from p`);

/** Which of these medicines the org can see, and whether each is active. */
const MEDICINES = prepared(`select id, is_active as "isActive" from medicines where id = any($1::uuid[])`);

function linesFrom(items: PrescriptionItemDto[] | undefined, shortKeyId: string | null = null): Line[] {
  return (items ?? []).map((item) => ({
    medicineId: item.medicineId,
    dosage: item.dosage,
    frequency: item.frequency,
    duration: item.duration,
    quantity: item.quantity ?? null,
    instructions: item.instructions ?? null,
    shortKeyId,
  }));
}

/** The lines as the parallel arrays the multi-row insert unnests. */
function lineArrays(lines: Line[]): unknown[] {
  return [
    lines.map((l) => l.medicineId),
    lines.map((l) => l.dosage),
    lines.map((l) => l.frequency),
    lines.map((l) => l.duration),
    lines.map((l) => l.quantity),
    lines.map((l) => l.instructions),
    lines.map((l) => l.shortKeyId),
  ];
}

function finalError(): Error {
  return fail(ErrorCode.PrescriptionFinal, 'This prescription is final and cannot be changed; amend it instead');
}

/** The database's own refusals, as the API's answers. */
function mapWriteError(err: unknown): unknown {
  if (isPgError(err, PG.checkViolation, FINAL_IMMUTABLE)) return finalError();
  if (isPgError(err, PG.checkViolation, APPOINTMENT_AGREES)) return fail(ErrorCode.AppointmentMismatch, 'The appointment is for another patient');
  if (isPgError(err, PG.foreignKeyViolation, MEDICINE_IN_SCOPE)) return fail(ErrorCode.MedicineNotFound, 'Medicine not found');
  if (isPgError(err, PG.uniqueViolation, ONE_AMENDMENT)) {
    return fail(ErrorCode.PrescriptionAlreadyAmended, 'This prescription has already been amended; amend its latest version');
  }
  return err;
}

@Injectable()
export class PrescriptionsService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    private readonly shortKeys: ShortKeysService,
  ) {}

  private run<T>(statement: PreparedStatement, values: unknown[]): Promise<T[]> {
    return runPrepared<T>(this.tx.manager, statement, values);
  }

  /**
   * A draft, walk-in or from an appointment, with its lines (items, then each short key's). The
   * happy path is one statement that checks and writes (see `create`), then the audit event.
   */
  async create(dto: CreatePrescriptionDto): Promise<PrescriptionView> {
    const orgId = this.context.orgId;
    let { clinicId, patientId } = dto;
    let appointmentDoctor: string | undefined;
    if (dto.appointmentId) {
      const [appointment] = await this.run<{ clinicId: string; patientId: string; doctorId: string }>(APPOINTMENT, [orgId, dto.appointmentId]);
      if (!appointment) throw fail(ErrorCode.AppointmentNotFound, 'Appointment not found');
      if ((clinicId && clinicId !== appointment.clinicId) || (patientId && patientId !== appointment.patientId)) {
        throw fail(ErrorCode.AppointmentMismatch, 'clinicId and patientId must be those of the appointment');
      }
      ({ clinicId, patientId } = appointment);
      appointmentDoctor = appointment.doctorId;
    }
    if (!clinicId || !patientId) throw fail(ErrorCode.ValidationFailed, 'A walk-in prescription needs clinicId and patientId');
    if (!this.context.canAccessClinic(clinicId)) throw fail(ErrorCode.ClinicNotFound, 'Clinic not found');

    const lines = linesFrom(dto.items);
    const shortKeyIds: string[] = [];
    for (const code of dto.shortKeys ?? []) {
      const expanded = await this.shortKeys.expand(code);
      shortKeyIds.push(expanded.shortKeyId);
      lines.push(...linesFrom(expanded.items, expanded.shortKeyId));
    }
    this.assertLineCount(lines.length);

    // Only an org admin names the doctor; everyone else writes as their own doctor profile.
    const byOwnProfile = !dto.doctorId || this.context.role !== 'org_admin';
    const doctor = byOwnProfile ? this.context.membershipId : dto.doctorId;
    let row: PrescriptionView | undefined;
    try {
      [row] = await this.run<PrescriptionView>(byOwnProfile ? CREATE_BY_MEMBERSHIP : CREATE_BY_DOCTOR, [
        orgId,
        randomUUID(),
        clinicId,
        patientId,
        doctor,
        dto.appointmentId ?? null,
        dto.diagnosis ?? null,
        dto.notes ?? null,
        this.context.userId,
        ...lineArrays(lines),
        RequestContext.snapshot().requestId ?? null,
        JSON.stringify(shortKeyIds),
      ]);
    } catch (err) {
      throw mapWriteError(err);
    }
    if (!row) return this.explainRefusal(byOwnProfile ? CHECKS_BY_MEMBERSHIP : CHECKS_BY_DOCTOR, [orgId, clinicId, patientId, doctor]);
    // Any refusal below rolls the whole request back, the prescription included.
    if (dto.doctorId && dto.doctorId !== row.doctorId) {
      throw fail(ErrorCode.RoleRequired, 'Only an org admin may write a prescription for another doctor');
    }
    if (appointmentDoctor && appointmentDoctor !== row.doctorId) {
      throw fail(ErrorCode.AppointmentMismatch, 'The appointment is with another doctor');
    }
    if (row.items.length !== lines.length) await this.explainMissingMedicines(lines);
    return row;
  }

  /** Nothing was written: say why (clinic, patient, doctor profile, doctor active, doctor at the clinic). Always throws. */
  private async explainRefusal(statement: PreparedStatement, values: unknown[]): Promise<never> {
    const [check] = await this.run<{ clinic: boolean | null; patient: boolean; doctorId: string | null; doctorActive: boolean | null; atClinic: boolean }>(
      statement,
      values,
    );
    if (!check.clinic) throw fail(ErrorCode.ClinicNotFound, 'Clinic not found');
    if (!check.patient) throw fail(ErrorCode.PatientNotFound, 'Patient not found');
    if (!check.doctorId) {
      if (statement === CHECKS_BY_MEMBERSHIP) throw fail(ErrorCode.NoDoctorProfile, 'Only a doctor (a member with a doctor profile) may write prescriptions');
      throw fail(ErrorCode.DoctorNotFound, 'Doctor not found');
    }
    if (!check.doctorActive) throw fail(ErrorCode.DoctorInactive, 'This doctor is inactive');
    if (!check.atClinic) throw fail(ErrorCode.DoctorNotAtClinic, 'This doctor does not practise at this clinic');
    throw fail(ErrorCode.DoctorNotAtClinic, 'The prescription could not be written; retry');
  }

  async get(id: string): Promise<PrescriptionView> {
    const row = await this.find(id);
    await this.audit.record({ action: 'prescription.read', resourceType: 'prescription', resourceId: id, clinicId: row.clinicId });
    return row;
  }

  /** Newest first. A `date` is the day written in the clinic's time zone (each prescription's own clinic without clinicId). */
  async list(query: ListPrescriptionsQuery): Promise<Page<PrescriptionView>> {
    const orgId = this.context.orgId;
    const { limit, offset } = pageWindow(query);
    const values: unknown[] = [orgId, limit + 1, offset];
    const param = (value: unknown) => `$${values.push(value)}`;
    const where = ['p.organization_id = $1'];
    const join = await filterByClinicDay(this.tx.sql, this.context, query, 'p', 'created_at', param, where);
    if (query.patientId) where.push(`p.patient_id = ${param(query.patientId)}`);
    if (query.doctorId) where.push(`p.doctor_id = ${param(query.doctorId)}`);
    if (query.appointmentId) where.push(`p.appointment_id = ${param(query.appointmentId)}`);
    if (query.status) where.push(`p.status = ${param(query.status)}`);
    const text = `${SELECT}${join} where ${where.join(' and ')} order by p.created_at desc, p.id desc limit $2 offset $3`;
    const rows = await this.run<PrescriptionView>(listStatement(text), values);
    const items = rows.slice(0, limit);
    await this.audit.record({
      action: 'prescription.list',
      resourceType: 'prescription',
      clinicId: query.clinicId ?? null,
      details: { count: items.length, ids: items.map((p) => p.id) },
    });
    return { items, limit, offset, hasMore: rows.length > limit };
  }

  /** A draft's fields, and (when `items` is given) all its lines replaced. */
  async update(id: string, dto: UpdatePrescriptionDto): Promise<PrescriptionView> {
    const orgId = this.context.orgId;
    const draft = await this.lockDraft(id);
    try {
      if (dto.diagnosis !== undefined || dto.notes !== undefined) {
        const [current] = await this.run<PrescriptionView>(FIND, [orgId, id]);
        await this.run(UPDATE_FIELDS, [
          orgId,
          id,
          dto.diagnosis === undefined ? current.diagnosis : dto.diagnosis,
          dto.notes === undefined ? current.notes : dto.notes,
        ]);
      } else {
        await this.run(TOUCH, [orgId, id]);
      }
      if (dto.items) {
        const lines = linesFrom(dto.items);
        this.assertLineCount(lines.length);
        await this.run(DELETE_LINES, [orgId, id]);
        await this.appendLines(draft, lines, 0);
      }
    } catch (err) {
      throw mapWriteError(err);
    }
    await this.audit.record({
      action: 'prescription.update',
      resourceType: 'prescription',
      resourceId: id,
      clinicId: draft.clinicId,
      details: { fields: Object.keys(dto), items: dto.items?.length ?? null },
    });
    return this.find(id);
  }

  /** Appends a short key's lines to a draft, marked with the key. */
  async applyShortKey(id: string, code: string): Promise<PrescriptionView> {
    const orgId = this.context.orgId;
    const draft = await this.lockDraft(id);
    const expanded = await this.shortKeys.expand(code);
    const lines = linesFrom(expanded.items, expanded.shortKeyId);
    const [{ n: existing, next }] = await this.run<{ n: number; next: number }>(LINES_SO_FAR, [orgId, id]);
    this.assertLineCount(existing + lines.length);
    try {
      await this.appendLines(draft, lines, next);
      await this.run(TOUCH, [orgId, id]);
    } catch (err) {
      throw mapWriteError(err);
    }
    await this.audit.record({
      action: 'prescription.short_key.apply',
      resourceType: 'prescription',
      resourceId: id,
      clinicId: draft.clinicId,
      details: { shortKeyId: expanded.shortKeyId, items: lines.length },
    });
    return this.find(id);
  }

  async finalize(id: string): Promise<PrescriptionView> {
    const orgId = this.context.orgId;
    const draft = await this.lockDraft(id);
    const [{ n }] = await this.run<{ n: number }>(LINES_SO_FAR, [orgId, id]);
    if (n === 0) throw fail(ErrorCode.PrescriptionEmpty, 'A prescription needs at least one item to be finalized');
    try {
      await this.run(FINALIZE, [orgId, id, this.context.userId]);
    } catch (err) {
      throw mapWriteError(err);
    }
    await this.audit.record({ action: 'prescription.finalize', resourceType: 'prescription', resourceId: id, clinicId: draft.clinicId });
    return this.find(id);
  }

  async remove(id: string): Promise<void> {
    const draft = await this.lockDraft(id);
    try {
      await this.run(DELETE, [this.context.orgId, id]);
    } catch (err) {
      throw mapWriteError(err);
    }
    await this.audit.record({ action: 'prescription.delete', resourceType: 'prescription', resourceId: id, clinicId: draft.clinicId });
  }

  /**
   * The next version of a final prescription: a new draft by the caller, linked back to it, with
   * its lines copied, the amendment's reason, and its diagnosis and notes where the amendment changes them.
   */
  async amend(id: string, dto: AmendPrescriptionDto = {}): Promise<PrescriptionView> {
    const orgId = this.context.orgId;
    const original = await this.lock(id);
    if (original.status !== 'final') {
      throw fail(ErrorCode.PrescriptionNotFinal, 'Only a final prescription is amended; change the draft instead');
    }
    const doctorId = await this.ownDoctor(original.clinicId);
    const [current] = await this.run<PrescriptionView>(FIND, [orgId, id]);
    if (current.amendedById) {
      throw fail(ErrorCode.PrescriptionAlreadyAmended, 'This prescription has already been amended; amend its latest version');
    }
    let row: PrescriptionView;
    try {
      [row] = await this.run<PrescriptionView>(AMEND, [
        orgId,
        randomUUID(),
        doctorId,
        this.context.userId,
        id,
        dto.reason ?? null,
        dto.diagnosis !== undefined,
        dto.diagnosis ?? null,
        dto.notes !== undefined,
        dto.notes ?? null,
      ]);
    } catch (err) {
      throw mapWriteError(err);
    }
    await this.audit.record({
      action: 'prescription.amend',
      resourceType: 'prescription',
      resourceId: row.id,
      clinicId: row.clinicId,
      details: { amendsId: id, version: row.version, items: row.items.length, fields: Object.keys(dto) },
    });
    return row;
  }

  private async find(id: string): Promise<PrescriptionView> {
    const [row] = await this.run<PrescriptionView>(FIND, [this.context.orgId, id]);
    if (!row) throw fail(ErrorCode.PrescriptionNotFound, 'Prescription not found');
    return row;
  }

  private async lock(id: string): Promise<Locked> {
    const [row] = await this.run<Locked>(LOCK, [this.context.orgId, id]);
    if (!row) throw fail(ErrorCode.PrescriptionNotFound, 'Prescription not found');
    return row;
  }

  /** A draft the caller may change: its prescribing doctor, or an org admin. */
  private async lockDraft(id: string): Promise<Locked> {
    const row = await this.lock(id);
    if (row.status === 'final') throw finalError();
    if (this.context.role !== 'org_admin') {
      const [own] = await this.run<{ id: string }>(OWN_DOCTOR, [this.context.orgId, this.context.membershipId]);
      if (own?.id !== row.doctorId) throw fail(ErrorCode.NotThePrescriber, 'Only the prescribing doctor or an org admin may change this draft');
    }
    return row;
  }

  /** The caller's own active doctor profile, practising at the clinic. */
  private async ownDoctor(clinicId: string): Promise<string> {
    const [own] = await this.run<{ id: string; isActive: boolean }>(OWN_DOCTOR, [this.context.orgId, this.context.membershipId]);
    if (!own) throw fail(ErrorCode.NoDoctorProfile, 'Only a doctor (a member with a doctor profile) may write prescriptions');
    if (!own.isActive) throw fail(ErrorCode.DoctorInactive, 'This doctor is inactive');
    const [check] = await this.run<{ atClinic: boolean }>(CHECKS_BY_DOCTOR, [this.context.orgId, clinicId, null, own.id]);
    if (!check.atClinic) throw fail(ErrorCode.DoctorNotAtClinic, 'This doctor does not practise at this clinic');
    return own.id;
  }

  private async appendLines(draft: Locked, lines: Line[], start: number): Promise<void> {
    if (!lines.length) return;
    const [{ n }] = await this.run<{ n: number }>(APPEND_LINES, [this.context.orgId, draft.clinicId, draft.id, start, ...lineArrays(lines)]);
    if (n !== lines.length) await this.explainMissingMedicines(lines);
  }

  private assertLineCount(count: number): void {
    if (count > MAX_ITEMS) throw fail(ErrorCode.ValidationFailed, `A prescription holds at most ${MAX_ITEMS} items`);
  }

  /** Some lines were not written: say which medicine was not found (or is inactive). Always throws. */
  private async explainMissingMedicines(lines: Line[]): Promise<never> {
    const ids = [...new Set(lines.map((l) => l.medicineId))];
    const found = new Map(
      (await this.run<{ id: string; isActive: boolean }>(MEDICINES, [ids])).map((m) => [m.id, m.isActive] as const),
    );
    const missing = ids.find((medicineId) => !found.has(medicineId));
    if (missing) throw fail(ErrorCode.MedicineNotFound, `Medicine ${missing} not found`);
    const inactive = ids.find((medicineId) => found.get(medicineId) === false);
    throw fail(ErrorCode.MedicineInactive, `Medicine ${inactive} is no longer prescribed (inactive)`);
  }
}
