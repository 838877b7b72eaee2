import { Injectable } from '@nestjs/common';
import { DataSource, Repository } from 'typeorm';
import { AdminAuditEvent } from './admin-audit-event.entity';

export type AuditDetails = AdminAuditEvent['details'];

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

  /** The latest events, newest first. */
  latest(limit: number): Promise<AdminAuditEvent[]> {
    return this.events.find({ order: { occurredAt: 'DESC' }, take: limit });
  }
}
