import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'clinics' })
export class Clinic {
  @PrimaryColumn({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column()
  name: string;

  @Column()
  code: string;

  @Column({ type: 'jsonb' })
  address: Record<string, string>;

  @Column()
  timezone: string;

  @Column({ type: 'varchar', nullable: true })
  phone: string | null;

  @Column({ name: 'is_primary' })
  isPrimary: boolean;

  @Column({ name: 'is_active' })
  isActive: boolean;

  @Column({ type: 'jsonb' })
  settings: { appointmentSlotMinutes?: number };

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
