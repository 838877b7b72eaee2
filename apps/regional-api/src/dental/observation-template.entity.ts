import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import type { Condition, Severity, Surface } from './dental.constants';

@Entity({ name: 'dental_observation_templates' })
export class DentalObservationTemplate {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' }) organizationId: string;
  @PrimaryColumn({ type: 'uuid' }) id: string;
  @Column() name: string;
  @Column({ type: 'varchar', nullable: true }) surface: Surface | null;
  @Column({ type: 'varchar', nullable: true }) condition: Condition | null;
  @Column({ type: 'varchar', nullable: true }) severity: Severity | null;
  @Column({ name: 'notes_template', type: 'varchar', nullable: true }) notesTemplate: string | null;
  @Column({ name: 'created_by', type: 'uuid', nullable: true }) createdBy: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
