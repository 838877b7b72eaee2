import { Check, Column, CreateDateColumn, Entity, ForeignKey, Index, PrimaryColumn, Unique } from 'typeorm';
import { User } from './user.entity';

/** A single-use recovery code of a user with MFA: only its SHA-256 is kept. */
@Entity({ name: 'mfa_recovery_codes' })
@Unique('mfa_recovery_codes_user_code_key', ['userId', 'codeHash'])
export class MfaRecoveryCode {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'mfa_recovery_codes_pkey' }) id: string;
  @Column({ name: 'user_id', type: 'uuid' })
  @ForeignKey(() => User, { name: 'mfa_recovery_codes_user_id_fkey', onDelete: 'CASCADE' })
  userId: string;
  @Column({ name: 'code_hash', type: 'char', length: 64 }) codeHash: string;
  @Column({ name: 'used_at', type: 'timestamptz', nullable: true }) usedAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}

export type MfaChallengePurpose = 'login' | 'enrollment';

/**
 * A short-lived token bound to one user, stored hashed: `login` stands between a right password and
 * the second factor; `enrollment` only lets a user who must have MFA set it up.
 */
@Entity({ name: 'mfa_challenges' })
@Unique('mfa_challenges_token_hash_key', ['tokenHash'])
@Index('mfa_challenges_user', ['userId'])
@Index('mfa_challenges_expires', ['expiresAt'])
export class MfaChallenge {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'mfa_challenges_pkey' }) id: string;
  @Column({ name: 'user_id', type: 'uuid' })
  @ForeignKey(() => User, { name: 'mfa_challenges_user_id_fkey', onDelete: 'CASCADE' })
  userId: string;
  @Column({ type: 'varchar', length: 16 })
  @Check('mfa_challenges_purpose_check', "purpose IN ('login', 'enrollment')")
  purpose: MfaChallengePurpose;
  @Column({ name: 'token_hash', type: 'char', length: 64 }) tokenHash: string;
  @Column({ type: 'int', default: 0 }) attempts: number;
  @Column({ name: 'expires_at', type: 'timestamptz' }) expiresAt: Date;
  @Column({ name: 'consumed_at', type: 'timestamptz', nullable: true }) consumedAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
