import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export interface Branding {
  displayName?: string;
  primaryColor?: string;
  logoUrl?: string;
}

/** The region's mirror of an organization. No patient data; the registry is the control plane's. */
@Entity({ name: 'organizations' })
export class Organization {
  @PrimaryColumn('uuid')
  id: string;

  @Column()
  slug: string;

  @Column()
  name: string;

  @Column()
  plan: string;

  @Column()
  status: string;

  @Column({ type: 'jsonb' })
  limits: Record<string, number | null>;

  @Column({ type: 'jsonb' })
  branding: Branding;

  @Column()
  language: string;

  @Column()
  timezone: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
