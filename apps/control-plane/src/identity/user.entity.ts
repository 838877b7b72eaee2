import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn, Unique, UpdateDateColumn } from 'typeorm';
import { Organization } from '../organizations/organization.entity';

export type UserRole = 'platform_admin' | 'org_admin' | 'doctor' | 'staff';

/** Emails are unique case-insensitively: a unique index on lower(email), which TypeORM cannot express (synchronize: false). */
export const USER_EMAIL_UNIQUE = 'users_email_unique';

/** Whether an identity is shut: deactivated or removed by its org's admin (it signs in to nothing). */
export const isShut = (user: Pick<User, 'status'>): boolean => user.status === 'disabled' || user.status === 'removed';

/** An identity. Platform admins belong to no organization. */
@Entity({ name: 'users' })
@Index(USER_EMAIL_UNIQUE, { synchronize: false })
@Index('users_organization', ['organizationId'])
@Check('users_check', "(role = 'platform_admin') = (organization_id IS NULL)")
export class User {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'users_pkey' }) id: string;
  @Column({ type: 'varchar', length: 254 }) email: string;
  @Column({ name: 'password_hash', type: 'varchar', length: 200 }) passwordHash: string;
  @Column({ type: 'varchar', length: 200 }) name: string;
  @Column({ name: 'organization_id', type: 'uuid', nullable: true })
  @ForeignKey(() => Organization, { name: 'users_organization_id_fkey' })
  organizationId: string | null;
  @Column({ type: 'varchar', length: 20 })
  @Check('users_role_check', "role in ('platform_admin', 'org_admin', 'doctor', 'staff')")
  role: UserRole;
  @Column({ type: 'varchar', length: 20, default: 'active' })
  @Check('users_status_check', "status in ('provisioning', 'active', 'disabled', 'removed')")
  status: 'provisioning' | 'active' | 'disabled' | 'removed';
  @Column({ name: 'clinic_ids', type: 'uuid', array: true, default: '{}' }) clinicIds: string[];
  @Column({ name: 'must_change_password', type: 'boolean', default: false }) mustChangePassword: boolean;
  @Column({ name: 'failed_logins', type: 'int', default: 0 }) failedLogins: number;
  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true }) lockedUntil: Date | null;
  @Column({ name: 'password_changed_at', type: 'timestamptz', default: () => 'now()' }) passwordChangedAt: Date;
  /** The TOTP secret, sealed (KeyEncryption, purpose `mfa`); null while MFA is off. */
  @Column({ name: 'mfa_secret_encrypted', type: 'text', nullable: true }) mfaSecretEncrypted: string | null;
  /** A secret handed out by setup and not yet confirmed with a code (sealed). */
  @Column({ name: 'mfa_pending_secret_encrypted', type: 'text', nullable: true }) mfaPendingSecretEncrypted: string | null;
  @Column({ name: 'mfa_enabled_at', type: 'timestamptz', nullable: true }) mfaEnabledAt: Date | null;
  /** The last TOTP time step accepted: a code of this step or an earlier one is refused (replay). */
  @Column({ name: 'mfa_last_step', type: 'bigint', nullable: true }) mfaLastStep: string | null;
  /** Wrong second-factor attempts since the last right one (a right password does not clear them). */
  @Column({ name: 'mfa_failed_codes', type: 'int', default: 0 }) mfaFailedCodes: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity({ name: 'refresh_tokens' })
@Unique('refresh_tokens_token_hash_key', ['tokenHash'])
@Index('refresh_tokens_family', ['familyId'])
@Index('refresh_tokens_user', ['userId'])
export class RefreshToken {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'refresh_tokens_pkey' }) id: string;
  @Column({ name: 'user_id', type: 'uuid' })
  @ForeignKey(() => User, { name: 'refresh_tokens_user_id_fkey', onDelete: 'CASCADE' })
  userId: string;
  @Column({ name: 'family_id', type: 'uuid' }) familyId: string;
  @Column({ name: 'token_hash', type: 'char', length: 64 }) tokenHash: string;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;
  @Column({ name: 'used_at', type: 'timestamptz', nullable: true }) usedAt: Date | null;
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true }) revokedAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
