import { Injectable } from '@nestjs/common';
import { prepared, TransactionHost } from '@medgenie/database';
import { rowById, runById } from '../common/by-id.repository';
import { RequestContext } from '@medgenie/tenancy';
import { AUDIT_COLUMNS, auditValues } from '../audit/audit.repository';
import { ClinicDayQuery, filterByClinicDay } from '../common/day-list.repository';
import { preparedFor } from '../common/sql-patch';
import { MedicineLine, medicineLineArrays } from './medicine-line';
import { PrescriptionItemView, PrescriptionStatus, PrescriptionView } from './prescriptions.types';

/** A line about to be written: the medicine's name is read from the catalogue in the insert itself. */
export type PrescriptionLine = MedicineLine & Pick<PrescriptionItemView, 'shortKeyId'>;

/** A prescription locked for a change. */
export interface LockedPrescription {
  id: string;
  clinicId: string;
  doctorId: string;
  status: PrescriptionStatus;
}

/** Who prescribes: the caller's own doctor profile (by membership id) or a doctor named by id. */
export type PrescriberMatch = { membershipId: string } | { doctorId: string };

export interface NewPrescription {
  id: string;
  clinicId: string;
  patientId: string;
  prescriber: PrescriberMatch;
  appointmentId: string | null;
  diagnosis: string | null;
  notes: string | null;
  /** The acting user: the prescription's `created_by` and its audit event's actor. */
  createdBy: string;
  lines: PrescriptionLine[];
  /** For the audit event written with it. */
  requestId: string | null;
  shortKeyIds: string[];
}

/** Why a create wrote nothing: what exists of what it needs. */
export interface PrescribeChecks {
  /** Null when the clinic is not there (or row-level security hides it from the caller). */
  clinic: boolean | null;
  patient: boolean;
  /** Null when no doctor matches. */
  doctorId: string | null;
  doctorActive: boolean | null;
  atClinic: boolean;
}

export interface Amendment {
  /** The new version's id. */
  id: string;
  /** The final prescription it amends. */
  amendsId: string;
  doctorId: string;
  createdBy: string;
  reason: string | null;
  /** Undefined: unchanged (the original's). */
  diagnosis: string | null | undefined;
  notes: string | null | undefined;
}

export interface PrescriptionListQuery extends ClinicDayQuery {
  appointmentId?: string;
  status?: PrescriptionStatus;
}

/** A final prescription refuses every change (trigger). */
export const PRESCRIPTIONS_FINAL_IMMUTABLE = 'prescriptions_final_immutable';
/** A prescription is amended at most once: versions form a chain. */
export const PRESCRIPTIONS_ONE_AMENDMENT = 'prescriptions_one_amendment';
/** A prescription's appointment is for its patient (trigger). */
export const PRESCRIPTIONS_APPOINTMENT_AGREES = 'prescriptions_appointment_agrees';
/** A line names a medicine its organization can see (trigger: foreign keys ignore row-level security). */
export const PRESCRIPTION_ITEMS_MEDICINE_IN_SCOPE = 'prescription_items_medicine_in_scope';
/** A line names a medicine that exists: a medicine a prescription names cannot be deleted. */
export const PRESCRIPTION_ITEMS_MEDICINE_FK = 'prescription_items_medicine_id_fkey';
/** A line written from a short key points at it: a key a prescription was written with cannot be deleted. */
export const PRESCRIPTION_ITEMS_SHORT_KEY_FK = 'prescription_items_organization_id_short_key_id_fkey';

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
 * catalogue: the join takes the name snapshot and drops a medicine the org ($1) cannot see (a
 * global one or its own; RLS agrees) or that is inactive, which the caller detects by the count.
 */
function linesSelect(org: string, clinic: string, prescription: string, start: string, first: number): string {
  const [m, dosage, frequency, duration, quantity, instructions, shortKey] = Array.from({ length: 7 }, (_, i) => `$${first + i}`);
  return `select ${org}, ${clinic}, ${prescription}, ${start} + u.ord - 1, u.medicine_id, m.name, u.dosage, u.frequency, u.duration,
           u.quantity, u.instructions, u.short_key_id
      from unnest(${m}::uuid[], ${dosage}::text[], ${frequency}::text[], ${duration}::text[], ${quantity}::int[], ${instructions}::text[],
                  ${shortKey}::uuid[]) with ordinality as u(medicine_id, dosage, frequency, duration, quantity, instructions, short_key_id, ord)
      join medicines m on m.id = u.medicine_id and m.is_active and (m.organization_id is null or m.organization_id = $1)`;
}

/** The values of `linesSelect`'s seven parallel arrays, in its order. */
function lineArrays(lines: PrescriptionLine[]): unknown[] {
  return [...medicineLineArrays(lines), lines.map((l) => l.shortKeyId)];
}

const ITEM_COLUMNS = `organization_id, clinic_id, prescription_id, position, medicine_id, medicine_name, dosage, frequency, duration,
  quantity, instructions, short_key_id`;

/**
 * A new prescription and all its lines in ONE statement (one round trip, one multi-row insert for
 * the lines), returning the whole view. The statement checks what it needs as it goes: the clinic
 * (RLS hides one the caller may not access), the patient, the prescribing doctor ($5: the
 * caller's membership, or a doctor id) active and practising at the clinic. When one is missing
 * nothing is written and no row comes back; the caller then asks which one (`checks`).
 * The audit event is written by the same statement (the audit repository's columns and values),
 * so the whole write is as many round trips as the plain inserts would be, or fewer.
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
    insert into audit_events (${AUDIT_COLUMNS})
    select ${auditValues({
      organizationId: 'p.organization_id',
      actorType: `'user'`,
      actorUserId: '$9',
      clinicId: 'p.clinic_id',
      action: `'prescription.create'`,
      resourceType: `'prescription'`,
      resourceId: 'p.id',
      requestId: '$17',
      details: `jsonb_build_object('patientId', p.patient_id, 'appointmentId', p.appointment_id, 'items', (select count(*) from i), 'shortKeyIds', $18::jsonb)`,
    })}
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

/** Which of these medicines the org can see (global ones and its own), and whether each is active. */
const MEDICINES = prepared(`select id, is_active as "isActive" from medicines
  where id = any($2::uuid[]) and (organization_id is null or organization_id = $1)`);

/** Prescriptions and their lines, of the organization the transaction is pinned to. */
@Injectable()
export class PrescriptionsRepository {
  constructor(private readonly tx: TransactionHost) {}

  findById(id: string): Promise<PrescriptionView | null> {
    return rowById<PrescriptionView>(this.tx.sql, FIND, id);
  }

  /** Locks the prescription until the transaction ends, so finalizing and editing cannot interleave. */
  lockForUpdate(id: string): Promise<LockedPrescription | null> {
    return rowById<LockedPrescription>(this.tx.sql, LOCK, id);
  }

  /** The doctor profile of a membership. */
  async findDoctorByMembership(membershipId: string): Promise<{ id: string; isActive: boolean } | null> {
    const sql = this.tx.sql;
    const [row] = await sql.run<{ id: string; isActive: boolean }>(OWN_DOCTOR, [sql.orgId, membershipId]);
    return row ?? null;
  }

  /** Whether the doctor practises at the clinic. */
  async doctorPractisesAt(doctorId: string, clinicId: string): Promise<boolean> {
    const sql = this.tx.sql;
    const [check] = await sql.run<PrescribeChecks>(CHECKS_BY_DOCTOR, [sql.orgId, clinicId, null, doctorId]);
    return check.atClinic;
  }

  async findAppointment(id: string): Promise<{ clinicId: string; patientId: string; doctorId: string } | null> {
    const sql = this.tx.sql;
    const [row] = await sql.run<{ clinicId: string; patientId: string; doctorId: string }>(APPOINTMENT, [sql.orgId, id]);
    return row ?? null;
  }

  /**
   * Writes the prescription, its lines (those whose medicine is visible and active) and its
   * 'prescription.create' audit event in one statement, and returns its view; null, with nothing
   * written, when the clinic, the patient or an active prescriber at the clinic is missing
   * (`prescribeChecks` says which).
   */
  async insertWithItems(p: NewPrescription): Promise<PrescriptionView | null> {
    const sql = this.tx.sql;
    const byMembership = 'membershipId' in p.prescriber;
    const [row] = await sql.run<PrescriptionView>(byMembership ? CREATE_BY_MEMBERSHIP : CREATE_BY_DOCTOR, [
      sql.orgId,
      p.id,
      p.clinicId,
      p.patientId,
      prescriberOf(p.prescriber),
      p.appointmentId,
      p.diagnosis,
      p.notes,
      p.createdBy,
      ...lineArrays(p.lines),
      p.requestId,
      JSON.stringify(p.shortKeyIds),
    ]);
    return row ?? null;
  }

  /** What of a prescription's needs exists: the clinic, the patient, the prescriber, and whether it is active and at the clinic. */
  async prescribeChecks(clinicId: string, patientId: string, prescriber: PrescriberMatch): Promise<PrescribeChecks> {
    const sql = this.tx.sql;
    const [check] = await sql.run<PrescribeChecks>('membershipId' in prescriber ? CHECKS_BY_MEMBERSHIP : CHECKS_BY_DOCTOR, [
      sql.orgId,
      clinicId,
      patientId,
      prescriberOf(prescriber),
    ]);
    return check;
  }

  /** Newest first; `limit` rows at most. The clinic and day filter is `filterByClinicDay`'s (it answers for the clinic's access). */
  async list(context: RequestContext, query: PrescriptionListQuery, limit: number, offset: number): Promise<PrescriptionView[]> {
    const sql = this.tx.sql;
    const values: unknown[] = [sql.orgId, limit, offset];
    const param = (value: unknown) => `$${values.push(value)}`;
    const where = ['p.organization_id = $1'];
    const join = await filterByClinicDay(sql, context, query, 'p', 'created_at', param, where);
    if (query.patientId) where.push(`p.patient_id = ${param(query.patientId)}`);
    if (query.doctorId) where.push(`p.doctor_id = ${param(query.doctorId)}`);
    if (query.appointmentId) where.push(`p.appointment_id = ${param(query.appointmentId)}`);
    if (query.status) where.push(`p.status = ${param(query.status)}`);
    const text = `${SELECT}${join} where ${where.join(' and ')} order by p.created_at desc, p.id desc limit $2 offset $3`;
    return sql.run<PrescriptionView>(preparedFor(text), values);
  }

  /** A draft's line count and the position after its last line. */
  async linesSoFar(id: string): Promise<{ n: number; next: number }> {
    const sql = this.tx.sql;
    const [row] = await sql.run<{ n: number; next: number }>(LINES_SO_FAR, [sql.orgId, id]);
    return row;
  }

  /**
   * Appends lines from position `start`, each with its medicine's name as it reads now; a line
   * whose medicine is not visible or inactive is left out. Returns how many were written.
   */
  async appendLines(prescription: { id: string; clinicId: string }, lines: PrescriptionLine[], start: number): Promise<number> {
    const sql = this.tx.sql;
    const [{ n }] = await sql.run<{ n: number }>(APPEND_LINES, [sql.orgId, prescription.clinicId, prescription.id, start, ...lineArrays(lines)]);
    return n;
  }

  deleteLines(id: string): Promise<void> {
    return runById(this.tx.sql, DELETE_LINES, id);
  }

  async updateFields(id: string, diagnosis: string | null, notes: string | null): Promise<void> {
    const sql = this.tx.sql;
    await sql.run(UPDATE_FIELDS, [sql.orgId, id, diagnosis, notes]);
  }

  /** Marks the prescription changed (its lines changed, not its own fields). */
  touch(id: string): Promise<void> {
    return runById(this.tx.sql, TOUCH, id);
  }

  /** A draft becomes final, by `userId`. */
  async finalize(id: string, userId: string): Promise<void> {
    const sql = this.tx.sql;
    await sql.run(FINALIZE, [sql.orgId, id, userId]);
  }

  /** Deletes a draft and its lines (a final prescription stays). */
  deleteDraft(id: string): Promise<void> {
    return runById(this.tx.sql, DELETE, id);
  }

  /** Writes the next version of a final prescription, its lines copied, and returns its view. */
  async insertAmendment(a: Amendment): Promise<PrescriptionView> {
    const sql = this.tx.sql;
    const [row] = await sql.run<PrescriptionView>(AMEND, [
      sql.orgId,
      a.id,
      a.doctorId,
      a.createdBy,
      a.amendsId,
      a.reason,
      a.diagnosis !== undefined,
      a.diagnosis ?? null,
      a.notes !== undefined,
      a.notes ?? null,
    ]);
    return row;
  }

  /** Which of these medicines the org can see, and whether each is active. */
  async medicinesActive(ids: string[]): Promise<{ id: string; isActive: boolean }[]> {
    const sql = this.tx.sql;
    return sql.run<{ id: string; isActive: boolean }>(MEDICINES, [sql.orgId, ids]);
  }
}

function prescriberOf(prescriber: PrescriberMatch): string {
  return 'membershipId' in prescriber ? prescriber.membershipId : prescriber.doctorId;
}
