import { Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { AdminAuditEvent } from './admin-audit-event.entity';

export type AuditDetails = AdminAuditEvent['details'];

/** What the trail can be narrowed to (every field optional; `action` may end in `.*` for a prefix). */
export interface AuditFilter {
  action?: string;
  actorUserId?: string;
  targetType?: string;
  targetId?: string;
  since?: string;
  before?: string;
}

/** The admin audit trail's table. Append-only: inserts and reads, nothing else (grants and a trigger). */
@Injectable()
export class AdminAuditRepository {
  private readonly events: Repository<AdminAuditEvent>;

  constructor(dataSource: DataSource) {
    this.events = dataSource.getRepository(AdminAuditEvent);
  }

  async insert(event: Pick<AdminAuditEvent, 'actorUserId' | 'action' | 'targetType' | 'targetId' | 'details'>): Promise<void> {
    await this.events.insert(event);
  }

  /** The latest events that match, newest first. */
  search(filter: AuditFilter, limit: number): Promise<AdminAuditEvent[]> {
    const q = this.events.createQueryBuilder('e').orderBy('e.occurred_at', 'DESC').addOrderBy('e.id', 'DESC').take(limit);
    const prefix = filter.action?.endsWith('.*') ? filter.action.slice(0, -1) : filter.action?.endsWith('.') ? filter.action : undefined;
    if (prefix) q.andWhere('starts_with(e.action, :prefix)', { prefix });
    else if (filter.action) q.andWhere('e.action = :action', { action: filter.action });
    if (filter.actorUserId) q.andWhere('e.actor_user_id = :actor', { actor: filter.actorUserId });
    if (filter.targetType) q.andWhere('e.target_type = :targetType', { targetType: filter.targetType });
    if (filter.targetId) q.andWhere('e.target_id = :targetId', { targetId: filter.targetId });
    if (filter.since) q.andWhere('e.occurred_at >= :since', { since: filter.since });
    if (filter.before) q.andWhere('e.occurred_at < :before', { before: filter.before });
    return q.getMany();
  }
}
