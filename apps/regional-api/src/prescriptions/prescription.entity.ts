import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type PrescriptionStatus = 'draft' | 'final';

@Entity({ name: 'prescriptions' })
export class Prescription {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'clinic_id', type: 'uuid' })
  clinicId: string;

  @Column({ name: 'patient_id', type: 'uuid' })
  patientId: string;

  @Column({ name: 'doctor_id', type: 'uuid' })
  doctorId: string;

  @Column({ name: 'appointment_id', type: 'uuid', nullable: true })
  appointmentId: string | null;

  @Column({ type: 'varchar' })
  status: PrescriptionStatus;

  @Column({ type: 'integer' })
  version: number;

  /** The prescription this one amends (a new version of it); null for a first version. */
  @Column({ name: 'amends_id', type: 'uuid', nullable: true })
  amendsId: string | null;

  /** Why this version amends the previous one; only an amendment has one. */
  @Column({ name: 'amendment_reason', type: 'varchar', nullable: true })
  amendmentReason: string | null;

  @Column({ type: 'varchar', nullable: true })
  diagnosis: string | null;

  @Column({ type: 'varchar', nullable: true })
  notes: string | null;

  @Column({ name: 'finalized_at', type: 'timestamptz', nullable: true })
  finalizedAt: Date | null;

  @Column({ name: 'finalized_by', type: 'uuid', nullable: true })
  finalizedBy: string | null;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

@Entity({ name: 'prescription_items' })
export class PrescriptionItem {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'clinic_id', type: 'uuid' })
  clinicId: string;

  @Column({ name: 'prescription_id', type: 'uuid' })
  prescriptionId: string;

  @Column({ type: 'smallint' })
  position: number;

  @Column({ name: 'medicine_id', type: 'uuid' })
  medicineId: string;

  /** The medicine's name when it was prescribed: a later rename does not rewrite history. */
  @Column({ name: 'medicine_name', type: 'varchar' })
  medicineName: string;

  @Column({ type: 'varchar' })
  dosage: string;

  @Column({ type: 'varchar' })
  frequency: string;

  @Column({ type: 'varchar' })
  duration: string;

  @Column({ type: 'integer', nullable: true })
  quantity: number | null;

  @Column({ type: 'varchar', nullable: true })
  instructions: string | null;

  /** The short key this line was expanded from, if any. */
  @Column({ name: 'short_key_id', type: 'uuid', nullable: true })
  shortKeyId: string | null;
}
