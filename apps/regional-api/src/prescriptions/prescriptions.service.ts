import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { onViolation } from '@medgenie/database';
import { RequestContext } from '@medgenie/tenancy';
import { AuditService } from '../audit/audit.service';
import { ErrorCode, fail } from '../common/errors';
import { Page, pageOf, pageWindow } from '../common/page';
import { ShortKeysService } from '../short-keys/short-keys.service';
import {
  AmendPrescriptionDto,
  CreatePrescriptionDto,
  ListPrescriptionsQuery,
  MAX_ITEMS,
  PrescriptionItemDto,
  UpdatePrescriptionDto,
} from './dto/prescription.dto';
import {
  LockedPrescription,
  PrescriberMatch,
  PRESCRIPTION_ITEMS_MEDICINE_IN_SCOPE,
  PrescriptionLine,
  PRESCRIPTIONS_APPOINTMENT_AGREES,
  PRESCRIPTIONS_FINAL_IMMUTABLE,
  PRESCRIPTIONS_ONE_AMENDMENT,
  PrescriptionsRepository,
} from './prescriptions.repository';
import { medicineLine } from './medicine-line';
import { PrescriptionView } from './prescriptions.types';

export type { PrescriptionItemView, PrescriptionView } from './prescriptions.types';

function linesFrom(items: PrescriptionItemDto[] | undefined, shortKeyId: string | null = null): PrescriptionLine[] {
  return (items ?? []).map((item) => ({ ...medicineLine(item), shortKeyId }));
}

function finalError(): Error {
  return fail(ErrorCode.PrescriptionFinal, 'This prescription is final and cannot be changed; amend it instead');
}

/** The database's own refusals, as the API's answers. */
const WRITE_REFUSALS: Readonly<Record<string, () => Error>> = {
  [PRESCRIPTIONS_FINAL_IMMUTABLE]: finalError,
  [PRESCRIPTIONS_APPOINTMENT_AGREES]: () => fail(ErrorCode.AppointmentMismatch, 'The appointment is for another patient'),
  [PRESCRIPTION_ITEMS_MEDICINE_IN_SCOPE]: () => fail(ErrorCode.MedicineNotFound, 'Medicine not found'),
  [PRESCRIPTIONS_ONE_AMENDMENT]: () =>
    fail(ErrorCode.PrescriptionAlreadyAmended, 'This prescription has already been amended; amend its latest version'),
};

@Injectable()
export class PrescriptionsService {
  constructor(
    private readonly prescriptions: PrescriptionsRepository,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    private readonly shortKeys: ShortKeysService,
  ) {}

  /**
   * A draft, walk-in or from an appointment, with its lines (items, then each short key's). The
   * happy path is one statement that checks and writes, its audit event included (see the
   * repository's `insertWithItems`).
   */
  async create(dto: CreatePrescriptionDto): Promise<PrescriptionView> {
    let { clinicId, patientId } = dto;
    let appointmentDoctor: string | undefined;
    if (dto.appointmentId) {
      const appointment = await this.prescriptions.findAppointment(dto.appointmentId);
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
    const prescriber: PrescriberMatch =
      !dto.doctorId || this.context.role !== 'org_admin' ? { membershipId: this.context.membershipId } : { doctorId: dto.doctorId };
    let row: PrescriptionView | null;
    try {
      row = await this.prescriptions.insertWithItems({
        id: randomUUID(),
        clinicId,
        patientId,
        prescriber,
        appointmentId: dto.appointmentId ?? null,
        diagnosis: dto.diagnosis ?? null,
        notes: dto.notes ?? null,
        createdBy: this.context.userId,
        lines,
        requestId: RequestContext.snapshot().requestId ?? null,
        shortKeyIds,
      });
    } catch (err) {
      throw onViolation(err, WRITE_REFUSALS);
    }
    if (!row) return this.explainRefusal(clinicId, patientId, prescriber);
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
  private async explainRefusal(clinicId: string, patientId: string, prescriber: PrescriberMatch): Promise<never> {
    const check = await this.prescriptions.prescribeChecks(clinicId, patientId, prescriber);
    if (!check.clinic) throw fail(ErrorCode.ClinicNotFound, 'Clinic not found');
    if (!check.patient) throw fail(ErrorCode.PatientNotFound, 'Patient not found');
    if (!check.doctorId) {
      if ('membershipId' in prescriber) throw fail(ErrorCode.NoDoctorProfile, 'Only a doctor (a member with a doctor profile) may write prescriptions');
      throw fail(ErrorCode.DoctorNotFound, 'Doctor not found');
    }
    if (!check.doctorActive) throw fail(ErrorCode.DoctorInactive, 'This doctor is inactive');
    if (!check.atClinic) throw fail(ErrorCode.DoctorNotAtClinic, 'This doctor does not practise at this clinic');
    throw fail(ErrorCode.DoctorNotAtClinic, 'The prescription could not be written; retry');
  }

  async get(id: string): Promise<PrescriptionView> {
    const row = await this.find(id);
    this.audit.record({ action: 'prescription.read', resourceType: 'prescription', resourceId: id, clinicId: row.clinicId });
    return row;
  }

  /** Newest first. A `date` is the day written in the clinic's time zone (each prescription's own clinic without clinicId). */
  async list(query: ListPrescriptionsQuery): Promise<Page<PrescriptionView>> {
    const window = pageWindow(query);
    const page = pageOf(await this.prescriptions.list(this.context, query, window.limit + 1, window.offset), window);
    this.audit.recordList({ action: 'prescription.list', resourceType: 'prescription', clinicId: query.clinicId ?? null }, page.items);
    return page;
  }

  /** A draft's fields, and (when `items` is given) all its lines replaced. */
  async update(id: string, dto: UpdatePrescriptionDto): Promise<PrescriptionView> {
    const draft = await this.lockDraft(id);
    try {
      if (dto.diagnosis !== undefined || dto.notes !== undefined) {
        const current = await this.find(id);
        await this.prescriptions.updateFields(
          id,
          dto.diagnosis === undefined ? current.diagnosis : dto.diagnosis,
          dto.notes === undefined ? current.notes : dto.notes,
        );
      } else {
        await this.prescriptions.touch(id);
      }
      if (dto.items) {
        const lines = linesFrom(dto.items);
        this.assertLineCount(lines.length);
        await this.prescriptions.deleteLines(id);
        await this.appendLines(draft, lines, 0);
      }
    } catch (err) {
      throw onViolation(err, WRITE_REFUSALS);
    }
    this.audit.record({
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
    const draft = await this.lockDraft(id);
    const expanded = await this.shortKeys.expand(code);
    const lines = linesFrom(expanded.items, expanded.shortKeyId);
    const { n: existing, next } = await this.prescriptions.linesSoFar(id);
    this.assertLineCount(existing + lines.length);
    try {
      await this.appendLines(draft, lines, next);
      await this.prescriptions.touch(id);
    } catch (err) {
      throw onViolation(err, WRITE_REFUSALS);
    }
    this.audit.record({
      action: 'prescription.short_key.apply',
      resourceType: 'prescription',
      resourceId: id,
      clinicId: draft.clinicId,
      details: { shortKeyId: expanded.shortKeyId, items: lines.length },
    });
    return this.find(id);
  }

  async finalize(id: string): Promise<PrescriptionView> {
    const draft = await this.lockDraft(id);
    const { n } = await this.prescriptions.linesSoFar(id);
    if (n === 0) throw fail(ErrorCode.PrescriptionEmpty, 'A prescription needs at least one item to be finalized');
    try {
      await this.prescriptions.finalize(id, this.context.userId);
    } catch (err) {
      throw onViolation(err, WRITE_REFUSALS);
    }
    this.audit.record({ action: 'prescription.finalize', resourceType: 'prescription', resourceId: id, clinicId: draft.clinicId });
    return this.find(id);
  }

  async remove(id: string): Promise<void> {
    const draft = await this.lockDraft(id);
    try {
      await this.prescriptions.deleteDraft(id);
    } catch (err) {
      throw onViolation(err, WRITE_REFUSALS);
    }
    this.audit.record({ action: 'prescription.delete', resourceType: 'prescription', resourceId: id, clinicId: draft.clinicId });
  }

  /**
   * The next version of a final prescription: a new draft by the caller, linked back to it, with
   * its lines copied, the amendment's reason, and its diagnosis and notes where the amendment changes them.
   */
  async amend(id: string, dto: AmendPrescriptionDto = {}): Promise<PrescriptionView> {
    const original = await this.lock(id);
    if (original.status !== 'final') {
      throw fail(ErrorCode.PrescriptionNotFinal, 'Only a final prescription is amended; change the draft instead');
    }
    const doctorId = await this.ownDoctor(original.clinicId);
    const current = await this.find(id);
    if (current.amendedById) {
      throw fail(ErrorCode.PrescriptionAlreadyAmended, 'This prescription has already been amended; amend its latest version');
    }
    let row: PrescriptionView;
    try {
      row = await this.prescriptions.insertAmendment({
        id: randomUUID(),
        amendsId: id,
        doctorId,
        createdBy: this.context.userId,
        reason: dto.reason ?? null,
        diagnosis: dto.diagnosis,
        notes: dto.notes,
      });
    } catch (err) {
      throw onViolation(err, WRITE_REFUSALS);
    }
    this.audit.record({
      action: 'prescription.amend',
      resourceType: 'prescription',
      resourceId: row.id,
      clinicId: row.clinicId,
      details: { amendsId: id, version: row.version, items: row.items.length, fields: Object.keys(dto) },
    });
    return row;
  }

  private async find(id: string): Promise<PrescriptionView> {
    const row = await this.prescriptions.findById(id);
    if (!row) throw fail(ErrorCode.PrescriptionNotFound, 'Prescription not found');
    return row;
  }

  private async lock(id: string): Promise<LockedPrescription> {
    const row = await this.prescriptions.lockForUpdate(id);
    if (!row) throw fail(ErrorCode.PrescriptionNotFound, 'Prescription not found');
    return row;
  }

  /** A draft the caller may change: its prescribing doctor, or an org admin. */
  private async lockDraft(id: string): Promise<LockedPrescription> {
    const row = await this.lock(id);
    if (row.status === 'final') throw finalError();
    if (this.context.role !== 'org_admin') {
      const own = await this.prescriptions.findDoctorByMembership(this.context.membershipId);
      if (own?.id !== row.doctorId) throw fail(ErrorCode.NotThePrescriber, 'Only the prescribing doctor or an org admin may change this draft');
    }
    return row;
  }

  /** The caller's own active doctor profile, practising at the clinic. */
  private async ownDoctor(clinicId: string): Promise<string> {
    const own = await this.prescriptions.findDoctorByMembership(this.context.membershipId);
    if (!own) throw fail(ErrorCode.NoDoctorProfile, 'Only a doctor (a member with a doctor profile) may write prescriptions');
    if (!own.isActive) throw fail(ErrorCode.DoctorInactive, 'This doctor is inactive');
    if (!(await this.prescriptions.doctorPractisesAt(own.id, clinicId))) {
      throw fail(ErrorCode.DoctorNotAtClinic, 'This doctor does not practise at this clinic');
    }
    return own.id;
  }

  private async appendLines(draft: LockedPrescription, lines: PrescriptionLine[], start: number): Promise<void> {
    if (!lines.length) return;
    const n = await this.prescriptions.appendLines(draft, lines, start);
    if (n !== lines.length) await this.explainMissingMedicines(lines);
  }

  private assertLineCount(count: number): void {
    if (count > MAX_ITEMS) throw fail(ErrorCode.ValidationFailed, `A prescription holds at most ${MAX_ITEMS} items`);
  }

  /** Some lines were not written: say which medicine was not found (or is inactive). Always throws. */
  private async explainMissingMedicines(lines: PrescriptionLine[]): Promise<never> {
    const ids = [...new Set(lines.map((l) => l.medicineId))];
    const found = new Map((await this.prescriptions.medicinesActive(ids)).map((m) => [m.id, m.isActive] as const));
    const missing = ids.find((medicineId) => !found.has(medicineId));
    if (missing) throw fail(ErrorCode.MedicineNotFound, `Medicine ${missing} not found`);
    const inactive = ids.find((medicineId) => found.get(medicineId) === false);
    throw fail(ErrorCode.MedicineInactive, `Medicine ${inactive} is no longer prescribed (inactive)`);
  }
}
