/** A draft may change; a final prescription never does (it is amended by a new version instead). */
export type PrescriptionStatus = 'draft' | 'final';

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
