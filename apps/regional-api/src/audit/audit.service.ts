import { Injectable } from '@nestjs/common';
import { prepared, runPrepared, TransactionHost } from '@medgenie/database';
import { RequestContext } from '@medgenie/tenancy';

export interface AuditEntry {
  action: string;
  resourceType: string;
  resourceId?: string | null;
  clinicId?: string | null;
  /** Identifiers and counts only: never names, phone numbers, notes or search terms. */
  details?: Record<string, unknown>;
}

const INSERT = prepared(`insert into audit_events
  (organization_id, actor_type, actor_user_id, clinic_id, action, resource_type, resource_id, request_id, details)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`);

/** Writes audit events in the caller's transaction, so an event exists exactly when its action does. */
@Injectable()
export class AuditService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly context: RequestContext,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.insert(this.context.orgId, 'user', this.context.userId, entry);
  }

  /** For the control plane's calls on internal routes, where no user acts. */
  async recordService(orgId: string, entry: AuditEntry): Promise<void> {
    await this.insert(orgId, 'service', null, entry);
  }

  private async insert(orgId: string, actorType: 'user' | 'service', userId: string | null, entry: AuditEntry): Promise<void> {
    await runPrepared(this.tx.manager, INSERT, [
      orgId,
      actorType,
      userId,
      entry.clinicId ?? null,
      entry.action,
      entry.resourceType,
      entry.resourceId ?? null,
      RequestContext.snapshot().requestId ?? null,
      entry.details ?? {},
    ]);
  }
}
