import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const ORG_STATUSES = ['provisioning', 'active', 'suspended', 'deleting'] as const;
export type OrgStatus = (typeof ORG_STATUSES)[number];

/** The registry entry of an organization: where it lives and how it is doing. No patient data. */
@Entity({ name: 'organizations' })
export class Organization {
  @PrimaryColumn('uuid') id: string;
  @Column() slug: string;
  @Column() name: string;
  @Column({ name: 'region_id' }) regionId: string;
  @Column() plan: string;
  @Column({ type: 'varchar' }) status: OrgStatus;
  @Column({ type: 'jsonb' }) branding: Record<string, string>;
  @Column({ name: 'primary_clinic_id', type: 'uuid' }) primaryClinicId: string;
  @Column({ name: 'primary_clinic_name' }) primaryClinicName: string;
  @Column({ name: 'provisioning_attempts' }) provisioningAttempts: number;
  @Column({ name: 'provisioning_error', type: 'varchar', nullable: true }) provisioningError: string | null;
  @Column({ name: 'next_provisioning_at', type: 'timestamptz', nullable: true }) nextProvisioningAt: Date | null;
  @Column({ name: 'trial_ends_at', type: 'timestamptz', nullable: true }) trialEndsAt: Date | null;
  @Column({ name: 'region_sync_pending' }) regionSyncPending: boolean;
  /** Set while suspended: when, and the reason the platform admin gave (null if none). */
  @Column({ name: 'suspended_at', type: 'timestamptz', nullable: true }) suspendedAt: Date | null;
  @Column({ name: 'suspension_reason', type: 'varchar', nullable: true }) suspensionReason: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity({ name: 'organization_domains' })
export class OrganizationDomain {
  @PrimaryColumn() domain: string;
  @Column({ name: 'organization_id', type: 'uuid' }) organizationId: string;
}
