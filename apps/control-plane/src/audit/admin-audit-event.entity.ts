import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One thing a platform admin did. Append-only (grants and a trigger). */
@Entity({ name: 'admin_audit_events' })
@Index('admin_audit_events_time', ['occurredAt'])
export class AdminAuditEvent {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'admin_audit_events_pkey' }) id: string;
  @CreateDateColumn({ name: 'occurred_at', type: 'timestamptz' }) occurredAt: Date;
  @Column({ name: 'actor_user_id', type: 'uuid', nullable: true }) actorUserId: string | null;
  @Column({ type: 'varchar', length: 64 }) action: string;
  @Column({ name: 'target_type', type: 'varchar', length: 32 }) targetType: string;
  @Column({ name: 'target_id', type: 'varchar', length: 64, nullable: true }) targetId: string | null;
  @Column({ type: 'jsonb', default: {} }) details: Record<string, string | number | boolean | null>;
}
