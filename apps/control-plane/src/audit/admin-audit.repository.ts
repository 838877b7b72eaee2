import { Injectable } from '@nestjs/common';
import { DataSource, FindOptionsWhere, Like, Repository } from 'typeorm';
import { AdminAuditEvent } from './admin-audit-event.entity';

export type AuditDetails = AdminAuditEvent['details'];

/** Which events to read: the latest `limit`, of one action (or actions starting with `action` when it ends with a dot) and one target. */
export interface AuditFilter {
  limit: number;
  action?: string;
  targetId?: string;
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
  latest(filter: AuditFilter): Promise<AdminAuditEvent[]> {
    const where: FindOptionsWhere<AdminAuditEvent> = {};
    // The DTO admits only [a-z0-9_.] in an action: of LIKE's wildcards only _ can appear, escaped here.
    if (filter.action) where.action = filter.action.endsWith('.') ? Like(`${filter.action.replace(/_/g, '\\_')}%`) : filter.action;
    if (filter.targetId) where.targetId = filter.targetId;
    return this.events.find({ where, order: { occurredAt: 'DESC' }, take: filter.limit });
  }
}
