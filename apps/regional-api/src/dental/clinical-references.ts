import { Injectable } from '@nestjs/common';
import { RequestContext } from '@medgenie/tenancy';
import { ErrorCode, fail } from '../common/errors';
import { ClinicalReferencesRepository } from './clinical-references.repository';

/**
 * The checks every clinical record makes on what it points at, in the caller's org: another
 * org's id, or a clinic the caller may not access, is simply not found (404, never 403), and is
 * caught here before row-level security would refuse the insert.
 */
@Injectable()
export class ClinicalReferences {
  constructor(
    private readonly references: ClinicalReferencesRepository,
    private readonly context: RequestContext,
  ) {}

  async patient(patientId: string): Promise<void> {
    if (!(await this.references.patientExists(patientId))) throw fail(ErrorCode.PatientNotFound, 'Patient not found');
  }

  /** A clinic of the org that the caller may access. */
  async clinic(clinicId: string): Promise<void> {
    if (!this.context.canAccessClinic(clinicId)) throw fail(ErrorCode.ClinicNotFound, 'Clinic not found');
    if (!(await this.references.clinicExists(clinicId))) throw fail(ErrorCode.ClinicNotFound, 'Clinic not found');
  }

  async doctor(doctorId: string): Promise<void> {
    if (!(await this.references.doctorExists(doctorId))) throw fail(ErrorCode.DoctorNotFound, 'Doctor not found');
  }

  /** The doctor named, or else the caller's own doctor profile when the caller has one. */
  async doctorOrSelf(doctorId: string | null | undefined): Promise<string | null> {
    if (doctorId) {
      await this.doctor(doctorId);
      return doctorId;
    }
    if (doctorId === null) return null;
    return this.references.activeDoctorOfMembership(this.context.membershipId);
  }
}
