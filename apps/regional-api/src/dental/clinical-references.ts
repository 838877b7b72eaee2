import { Injectable } from '@nestjs/common';
import { prepared, runPrepared, TransactionHost } from '@medgenie/database';
import { RequestContext } from '@medgenie/tenancy';
import { ErrorCode, fail } from '../common/errors';

const PATIENT_EXISTS = prepared(`select 1 as ok from patients where organization_id = $1 and id = $2`);
const CLINIC_EXISTS = prepared(`select 1 as ok from clinics where organization_id = $1 and id = $2`);
const DOCTOR_EXISTS = prepared(`select 1 as ok from doctors where organization_id = $1 and id = $2`);
const OWN_DOCTOR = prepared(`select id from doctors where organization_id = $1 and membership_id = $2 and is_active`);

/**
 * The checks every clinical record makes on what it points at, in the caller's org: another
 * org's id, or a clinic the caller may not access, is simply not found (404, never 403), and is
 * caught here before row-level security would refuse the insert.
 */
@Injectable()
export class ClinicalReferences {
  constructor(
    private readonly tx: TransactionHost,
    private readonly context: RequestContext,
  ) {}

  async patient(patientId: string): Promise<void> {
    const rows = await runPrepared(this.tx.manager, PATIENT_EXISTS, [this.context.orgId, patientId]);
    if (!rows.length) throw fail(ErrorCode.PatientNotFound, 'Patient not found');
  }

  /** A clinic of the org that the caller may access. */
  async clinic(clinicId: string): Promise<void> {
    if (!this.context.canAccessClinic(clinicId)) throw fail(ErrorCode.ClinicNotFound, 'Clinic not found');
    const rows = await runPrepared(this.tx.manager, CLINIC_EXISTS, [this.context.orgId, clinicId]);
    if (!rows.length) throw fail(ErrorCode.ClinicNotFound, 'Clinic not found');
  }

  async doctor(doctorId: string): Promise<void> {
    const rows = await runPrepared(this.tx.manager, DOCTOR_EXISTS, [this.context.orgId, doctorId]);
    if (!rows.length) throw fail(ErrorCode.DoctorNotFound, 'Doctor not found');
  }

  /** The doctor named, or else the caller's own doctor profile when the caller has one. */
  async doctorOrSelf(doctorId: string | null | undefined): Promise<string | null> {
    if (doctorId) {
      await this.doctor(doctorId);
      return doctorId;
    }
    if (doctorId === null) return null;
    const rows = await runPrepared<{ id: string }>(this.tx.manager, OWN_DOCTOR, [this.context.orgId, this.context.membershipId]);
    return rows[0]?.id ?? null;
  }
}
