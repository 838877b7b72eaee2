import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type UserRole = 'platform_admin' | 'org_admin' | 'doctor' | 'staff';

/** An identity. Platform admins belong to no organization. */
@Entity({ name: 'users' })
export class User {
  @PrimaryColumn('uuid') id: string;
  @Column() email: string;
  @Column({ name: 'password_hash' }) passwordHash: string;
  @Column() name: string;
  @Column({ name: 'organization_id', type: 'uuid', nullable: true }) organizationId: string | null;
  @Column({ type: 'varchar' }) role: UserRole;
  @Column({ type: 'varchar' }) status: 'provisioning' | 'active' | 'disabled';
  @Column({ name: 'clinic_ids', type: 'uuid', array: true }) clinicIds: string[];
  @Column({ name: 'must_change_password' }) mustChangePassword: boolean;
  @Column({ name: 'failed_logins' }) failedLogins: number;
  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true }) lockedUntil: Date | null;
  @Column({ name: 'password_changed_at', type: 'timestamptz' }) passwordChangedAt: Date;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

@Entity({ name: 'refresh_tokens' })
export class RefreshToken {
  @PrimaryColumn('uuid') id: string;
  @Column({ name: 'user_id', type: 'uuid' }) userId: string;
  @Column({ name: 'family_id', type: 'uuid' }) familyId: string;
  @Column({ name: 'token_hash' }) tokenHash: string;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;
  @Column({ name: 'used_at', type: 'timestamptz', nullable: true }) usedAt: Date | null;
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true }) revokedAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
