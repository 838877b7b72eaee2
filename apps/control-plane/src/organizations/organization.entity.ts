import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn, Unique, UpdateDateColumn } from 'typeorm';
import { Region } from '../regions/region.entity';

export const ORG_STATUSES = ['provisioning', 'active', 'suspended', 'deleting'] as const;
export type OrgStatus = (typeof ORG_STATUSES)[number];

/** Constraints a write can violate, by name (answered as domain errors). */
export const ORGANIZATION_SLUG_KEY = 'organizations_slug_key';
export const ORGANIZATION_DOMAIN_KEY = 'organization_domains_pkey';

/** The registry entry of an organization: where it lives and how it is doing. No patient data. */
@Entity({ name: 'organizations' })
@Unique(ORGANIZATION_SLUG_KEY, ['slug'])
@Index('organizations_region_status', ['regionId', 'status', 'plan'])
@Index('organizations_slug_skeleton', ['slugSkeleton'])
@Index('organizations_pending', ['nextProvisioningAt'], { where: "status = 'provisioning' or region_sync_pending" })
export class Organization {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'organizations_pkey' }) id: string;
  @Column({ type: 'varchar', length: 63 }) slug: string;
  /** The slug with look-alike characters folded (slug-lookalikes.ts): finds the slugs a new one could imitate. Null only for rows that predate it. */
  @Column({ name: 'slug_skeleton', type: 'varchar', length: 63, nullable: true }) slugSkeleton: string | null;
  @Column({ type: 'varchar', length: 200 }) name: string;
  @Column({ name: 'region_id', type: 'varchar', length: 8 })
  @ForeignKey(() => Region, { name: 'organizations_region_id_fkey' })
  regionId: string;
  @Column({ type: 'varchar', length: 20 })
  @Check('organizations_plan_check', "plan in ('trial', 'basic', 'premium', 'enterprise')")
  plan: string;
  @Column({ type: 'varchar', length: 20 })
  @Check('organizations_status_check', "status in ('provisioning', 'active', 'suspended', 'deleting')")
  status: OrgStatus;
  @Column({ type: 'jsonb', default: {} }) branding: Record<string, string>;
  @Column({ name: 'primary_clinic_id', type: 'uuid' }) primaryClinicId: string;
  @Column({ name: 'primary_clinic_name', type: 'varchar', length: 200 }) primaryClinicName: string;
  @Column({ name: 'provisioning_attempts', type: 'int', default: 0 }) provisioningAttempts: number;
  @Column({ name: 'provisioning_error', type: 'varchar', length: 500, nullable: true }) provisioningError: string | null;
  @Column({ name: 'next_provisioning_at', type: 'timestamptz', nullable: true }) nextProvisioningAt: Date | null;
  @Column({ name: 'trial_ends_at', type: 'timestamptz', nullable: true }) trialEndsAt: Date | null;
  /** A status or plan change the region has not taken yet (it was unreachable); retried. */
  @Column({ name: 'region_sync_pending', type: 'boolean', default: false }) regionSyncPending: boolean;
  /** Set while suspended: when, and the reason the platform admin gave (null if none). */
  @Column({ name: 'suspended_at', type: 'timestamptz', nullable: true }) suspendedAt: Date | null;
  @Column({ name: 'suspension_reason', type: 'varchar', length: 500, nullable: true }) suspensionReason: string | null;
  /** Set while unpaid past the grace period (billing): since when payment is overdue. The region makes the org read-only. */
  @Column({ name: 'payment_overdue_since', type: 'timestamptz', nullable: true }) paymentOverdueSince: Date | null;
  /** Set by the org's admin: members without MFA must enrol before they get tokens. */
  @Column({ name: 'mfa_required', type: 'boolean', default: false }) mfaRequired: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

/**
 * A custom host name that serves an organization (besides <slug>.<region domain>), once verified:
 * the org publishes TXT `_medgenie-verify.<domain>` = `medgenie-verify=<verificationToken>`.
 */
@Entity({ name: 'organization_domains' })
@Index('organization_domains_org', ['organizationId'])
export class OrganizationDomain {
  @PrimaryColumn({ type: 'varchar', length: 253, primaryKeyConstraintName: ORGANIZATION_DOMAIN_KEY })
  @Check('organization_domains_domain_check', 'domain = lower(domain)')
  domain: string;
  @Column({ name: 'organization_id', type: 'uuid' })
  @ForeignKey(() => Organization, { name: 'organization_domains_organization_id_fkey', onDelete: 'CASCADE' })
  organizationId: string;
  @Column({ name: 'verification_token', type: 'varchar', length: 64 }) verificationToken: string;
  /** Null until ownership is verified; the registry lookup ignores the domain until then. */
  @Column({ name: 'verified_at', type: 'timestamptz', nullable: true }) verifiedAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
