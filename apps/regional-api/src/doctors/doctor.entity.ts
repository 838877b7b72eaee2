import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** One window of a weekly schedule, in the clinic's time zone: ISO weekday (Monday = 1), "HH:MM". */
export interface ScheduleWindow {
  weekday: number;
  start: string;
  end: string;
}

/** A membership's clinical profile (seed 001's doctors, tenant-scoped). */
@Entity({ name: 'doctors' })
export class Doctor {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'membership_id', type: 'uuid' })
  membershipId: string;

  @Column({ name: 'license_number', type: 'varchar', nullable: true })
  licenseNumber: string | null;

  @Column({ type: 'varchar', nullable: true })
  specialization: string | null;

  @Column({ type: 'text', array: true })
  qualifications: string[];

  /** numeric(12, 2): pg returns it as a string, kept exact here and turned into a number in views. */
  @Column({ name: 'consultation_fee', type: 'numeric', nullable: true })
  consultationFee: string | null;

  @Column({ type: 'varchar', nullable: true })
  bio: string | null;

  @Column({ name: 'is_active' })
  isActive: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

/** Where a doctor practises, and when (replaces seed 001's `offices` JSON). */
@Entity({ name: 'doctor_clinics' })
export class DoctorClinic {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @PrimaryColumn({ name: 'doctor_id', type: 'uuid' })
  doctorId: string;

  @PrimaryColumn({ name: 'clinic_id', type: 'uuid' })
  clinicId: string;

  @Column({ type: 'jsonb' })
  schedule: ScheduleWindow[];
}
