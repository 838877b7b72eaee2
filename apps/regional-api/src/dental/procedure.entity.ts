import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { ProcedureStatus, Surface } from './dental.constants';

/** numeric(12,2) arrives from pg as a string; the API speaks numbers. */
const money = { to: (v: number | null | undefined) => v, from: (v: string | null) => (v === null ? null : Number(v)) };

@Entity({ name: 'dental_procedures' })
export class DentalProcedure {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @PrimaryColumn({ type: 'uuid' }) id: string;
  @Column({ name: 'clinic_id', type: 'uuid' }) clinicId: string;
  @Column({ name: 'patient_id', type: 'uuid' }) patientId: string;
  @Column({ name: 'doctor_id', type: 'uuid', nullable: true }) doctorId: string | null;
  @Column({ name: 'observation_id', type: 'uuid', nullable: true }) observationId: string | null;
  @Column() code: string;
  @Column() description: string;
  @Column({ type: 'smallint', nullable: true }) tooth: number | null;
  @Column({ type: 'varchar', nullable: true }) surface: Surface | null;
  @Column({ type: 'varchar' }) status: ProcedureStatus;
  @Column({ type: 'numeric', precision: 12, scale: 2, transformer: money }) cost: number;
  @Column({ type: 'char', length: 3 }) currency: string;
  @Column({ name: 'performed_at', type: 'timestamptz', nullable: true }) performedAt: Date | null;
  @Column({ type: 'varchar', nullable: true }) notes: string | null;
  @Column({ name: 'created_by', type: 'uuid', nullable: true }) createdBy: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
