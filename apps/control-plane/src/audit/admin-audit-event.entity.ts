import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity({ name: 'admin_audit_events' })
export class AdminAuditEvent {
  @PrimaryGeneratedColumn('uuid') id: string;
  @CreateDateColumn({ name: 'occurred_at', type: 'timestamptz' }) occurredAt: Date;
  @Column({ name: 'actor_user_id', type: 'uuid', nullable: true }) actorUserId: string | null;
  @Column() action: string;
  @Column({ name: 'target_type' }) targetType: string;
  @Column({ name: 'target_id', type: 'varchar', nullable: true }) targetId: string | null;
  @Column({ type: 'jsonb' }) details: Record<string, string | number | boolean | null>;
}
