import type { JWK } from 'jose';
import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** The unique index that allows one active key (an expression index: synchronize: false). */
export const SIGNING_KEYS_ONE_ACTIVE = 'signing_keys_one_active';

/** A token signing key. One is active (retired_at null); retired ones stay published until publish_until. */
@Entity({ name: 'signing_keys' })
@Index(SIGNING_KEYS_ONE_ACTIVE, { synchronize: false })
export class SigningKey {
  @PrimaryColumn({ type: 'varchar', length: 64, primaryKeyConstraintName: 'signing_keys_pkey' }) kid: string;
  @Column({ type: 'varchar', length: 10 }) alg: string;
  @Column({ name: 'public_jwk', type: 'jsonb' }) publicJwk: JWK;
  @Column({ name: 'private_key_enc', type: 'text' }) privateKeyEnc: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true }) retiredAt: Date | null;
  @Column({ name: 'publish_until', type: 'timestamptz', nullable: true }) publishUntil: Date | null;
}
