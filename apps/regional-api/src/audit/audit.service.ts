import { Injectable } from '@nestjs/common';
import { RequestContext } from '@medgenie/tenancy';
import { AuditActorType, AuditRepository } from './audit.repository';

export interface AuditEntry {
  action: string;
  resourceType: string;
  resourceId?: string | null;
  clinicId?: string | null;
  /** Identifiers and counts only: never names, phone numbers, notes or search terms. */
  details?: Record<string, unknown>;
}

/**
 * Writes audit events in the caller's transaction, so an event exists exactly when its action does.
 * An event is deferred (`Sql.defer`): it is sent with the transaction's next statement or its
 * commit, so recording one costs no round trip of its own, and a failed write still fails the request.
 */
@Injectable()
export class AuditService {
  constructor(
    private readonly events: AuditRepository,
    private readonly context: RequestContext,
  ) {}

  record(entry: AuditEntry): void {
    this.insert('user', this.context.userId, entry);
  }

  /** One event for a list read: how many rows it answered and their ids, with the entry's own details. */
  recordList(entry: AuditEntry, rows: readonly { id: string }[]): void {
    this.record({ ...entry, details: { ...entry.details, count: rows.length, ids: rows.map((row) => row.id) } });
  }

  /**
   * For the control plane's calls on internal routes, where no user acts. The event belongs to the
   * organization the transaction is pinned to, which must be `orgId`.
   */
  recordService(orgId: string, entry: AuditEntry): void {
    if (orgId !== this.events.orgId) throw new Error('recordService: the transaction is pinned to another organization');
    this.insert('service', null, entry);
  }

  private insert(actorType: AuditActorType, actorUserId: string | null, entry: AuditEntry): void {
    this.events.insert({
      actorType,
      actorUserId,
      clinicId: entry.clinicId ?? null,
      action: entry.action,
      resourceType: entry.resourceType,
      resourceId: entry.resourceId ?? null,
      requestId: RequestContext.snapshot().requestId ?? null,
      details: entry.details ?? {},
    });
  }
}
