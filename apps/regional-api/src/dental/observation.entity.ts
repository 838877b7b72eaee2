import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Condition, Severity, Surface } from './dental.constants';

@Entity({ name: 'dental_observations' })
export class DentalObservation {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @PrimaryColumn({ type: 'uuid' }) id: string;
  @Column({ name: 'clinic_id', type: 'uuid' }) clinicId: string;
  @Column({ name: 'patient_id', type: 'uuid' }) patientId: string;
  @Column({ name: 'doctor_id', type: 'uuid', nullable: true }) doctorId: string | null;
  @Column({ name: 'template_id', type: 'uuid', nullable: true }) templateId: string | null;
  @Column({ type: 'smallint' }) tooth: number;
  @Column({ type: 'varchar', nullable: true }) surface: Surface | null;
  @Column({ type: 'varchar' }) condition: Condition;
  @Column({ type: 'varchar', nullable: true }) severity: Severity | null;
  @Column({ type: 'varchar', nullable: true }) notes: string | null;
  @Column({ name: 'observed_at', type: 'timestamptz' }) observedAt: Date;
  @Column({ name: 'created_by', type: 'uuid', nullable: true }) createdBy: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
