import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AdminAuditEvent } from './admin-audit-event.entity';

/** The trail of what platform admins did. Append-only (grants and a trigger). */
@Injectable()
export class AdminAuditService {
  constructor(private readonly dataSource: DataSource) {}

  async record(actorUserId: string, action: string, targetType: string, targetId: string | null, details: Record<string, string | number | boolean | null> = {}) {
    await this.dataSource.getRepository(AdminAuditEvent).insert({ actorUserId, action, targetType, targetId, details });
  }

  list(limit: number): Promise<AdminAuditEvent[]> {
    return this.dataSource.getRepository(AdminAuditEvent).find({ order: { occurredAt: 'DESC' }, take: limit });
  }
}
