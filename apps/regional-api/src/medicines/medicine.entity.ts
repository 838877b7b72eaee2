import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const MEDICINE_FORMS = [
  'tablet', 'capsule', 'syrup', 'suspension', 'injection', 'ointment', 'cream', 'gel', 'drops',
  'inhaler', 'spray', 'powder', 'lotion', 'mouthwash', 'solution', 'patch', 'suppository', 'other',
] as const;
export type MedicineForm = (typeof MEDICINE_FORMS)[number];

/**
 * A medicine: global (no organization: the catalogue every org sees, written by migrations or
 * ops only) or an organization's own (shared by all its clinics). The byte-ordered search keys
 * are generated columns, left out of the entity.
 */
@Entity({ name: 'medicines' })
export class Medicine {
  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  organizationId: string | null;

  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column()
  name: string;

  @Column({ name: 'generic_name', type: 'varchar', nullable: true })
  genericName: string | null;

  @Column({ type: 'varchar' })
  form: MedicineForm;

  @Column({ type: 'varchar', nullable: true })
  strength: string | null;

  @Column({ type: 'varchar', nullable: true })
  manufacturer: string | null;

  @Column({ name: 'is_active' })
  isActive: boolean;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
