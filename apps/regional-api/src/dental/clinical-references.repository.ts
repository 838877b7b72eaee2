import { Injectable } from '@nestjs/common';
import { prepared, TransactionHost } from '@medgenie/database';

const PATIENT_EXISTS = prepared(`select 1 as ok from patients where organization_id = $1 and id = $2`);
const CLINIC_EXISTS = prepared(`select 1 as ok from clinics where organization_id = $1 and id = $2`);
const DOCTOR_EXISTS = prepared(`select 1 as ok from doctors where organization_id = $1 and id = $2`);
const OWN_DOCTOR = prepared(`select id from doctors where organization_id = $1 and membership_id = $2 and is_active`);

/** Whether what a clinical record points at exists in the transaction's org (RLS hides clinics the caller may not access). */
@Injectable()
export class ClinicalReferencesRepository {
  constructor(private readonly tx: TransactionHost) {}

  async patientExists(patientId: string): Promise<boolean> {
    const sql = this.tx.sql;
    return (await sql.run(PATIENT_EXISTS, [sql.orgId, patientId])).length > 0;
  }

  async clinicExists(clinicId: string): Promise<boolean> {
    const sql = this.tx.sql;
    return (await sql.run(CLINIC_EXISTS, [sql.orgId, clinicId])).length > 0;
  }

  async doctorExists(doctorId: string): Promise<boolean> {
    const sql = this.tx.sql;
    return (await sql.run(DOCTOR_EXISTS, [sql.orgId, doctorId])).length > 0;
  }

  /** The id of the active doctor profile of this membership, if it has one. */
  async activeDoctorOfMembership(membershipId: string): Promise<string | null> {
    const sql = this.tx.sql;
    const rows = await sql.run<{ id: string }>(OWN_DOCTOR, [sql.orgId, membershipId]);
    return rows[0]?.id ?? null;
  }
}
