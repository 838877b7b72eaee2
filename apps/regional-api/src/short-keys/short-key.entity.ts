import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A prescription template of an organization: a code that expands to medicine lines. */
@Entity({ name: 'short_keys' })
export class ShortKey {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @PrimaryColumn({ type: 'uuid' })
  id: string;

  /** As typed ("Fever"); unique per org case-insensitively (the generated code_key, upper-case). */
  @Column()
  code: string;

  @Column()
  name: string;

  @Column({ type: 'varchar', nullable: true })
  description: string | null;

  @Column({ name: 'is_active' })
  isActive: boolean;

  @Column({ name: 'created_by', type: 'uuid', nullable: true })
  createdBy: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

@Entity({ name: 'short_key_items' })
export class ShortKeyItem {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'short_key_id', type: 'uuid' })
  shortKeyId: string;

  @Column({ type: 'smallint' })
  position: number;

  @Column({ name: 'medicine_id', type: 'uuid' })
  medicineId: string;

  @Column()
  dosage: string;

  @Column()
  frequency: string;

  @Column()
  duration: string;

  @Column({ type: 'integer', nullable: true })
  quantity: number | null;

  @Column({ type: 'varchar', nullable: true })
  instructions: string | null;
}
