import { Injectable } from '@nestjs/common';
import { AdminAuditEvent } from './admin-audit-event.entity';
import { AdminAuditRepository, AuditDetails, AuditFilter } from './admin-audit.repository';

/** The trail of what platform admins did. Append-only (grants and a trigger). */
@Injectable()
export class AdminAuditService {
  constructor(private readonly events: AdminAuditRepository) {}

  record(actorUserId: string, action: string, targetType: string, targetId: string | null, details: AuditDetails = {}): Promise<void> {
    return this.events.insert({ actorUserId, action, targetType, targetId, details });
  }

  list(filter: AuditFilter): Promise<AdminAuditEvent[]> {
    return this.events.latest(filter);
  }
}
