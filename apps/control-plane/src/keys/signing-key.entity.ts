import type { JWK } from 'jose';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A token signing key. One is active (retired_at null); retired ones stay published until publish_until. */
@Entity({ name: 'signing_keys' })
export class SigningKey {
  @PrimaryColumn() kid: string;
  @Column() alg: string;
  @Column({ name: 'public_jwk', type: 'jsonb' }) publicJwk: JWK;
  @Column({ name: 'private_key_enc' }) privateKeyEnc: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true }) retiredAt: Date | null;
  @Column({ name: 'publish_until', type: 'timestamptz', nullable: true }) publishUntil: Date | null;
}
