import { Injectable } from '@nestjs/common';
import { prepared, TransactionHost } from '@medgenie/database';

/** Who acted: a member of the org ('user') or the control plane on an internal route ('service'). */
export type AuditActorType = 'user' | 'service';

/** One audit event as written, but for its organization: always the transaction's (`sql.orgId`). */
export interface AuditEventRow {
  actorType: AuditActorType;
  actorUserId: string | null;
  clinicId: string | null;
  action: string;
  resourceType: string;
  resourceId: string | null;
  requestId: string | null;
  /** Identifiers and counts only: never names, phone numbers, notes or search terms. */
  details: Record<string, unknown>;
}

/**
 * The columns of `audit_events` an event is written with, in the order `auditValues` lists them.
 * The one definition of an audit write: this repository's insert and any statement that writes
 * its audit event itself (a prescription's create) are built from it.
 */
export const AUDIT_COLUMNS = 'organization_id, actor_type, actor_user_id, clinic_id, action, resource_type, resource_id, request_id, details';

/** One SQL expression (a parameter, a column, a literal) per audit column. */
export type AuditValuesSql = Record<'organizationId' | keyof AuditEventRow, string>;

/** The expressions of one event, in `AUDIT_COLUMNS` order: for `values (…)` or a `select … from` that writes events. */
export function auditValues(v: AuditValuesSql): string {
  return [v.organizationId, v.actorType, v.actorUserId, v.clinicId, v.action, v.resourceType, v.resourceId, v.requestId, v.details].join(', ');
}

const INSERT = prepared(`insert into audit_events
  (${AUDIT_COLUMNS})
  values (${auditValues({
    organizationId: '$1',
    actorType: '$2',
    actorUserId: '$3',
    clinicId: '$4',
    action: '$5',
    resourceType: '$6',
    resourceId: '$7',
    requestId: '$8',
    details: '$9',
  })})`);

/** Audit events, append-only: written in the caller's transaction, for the organization it is pinned to. */
@Injectable()
export class AuditRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** The organization the current transaction is pinned to, which every event is written for. */
  get orgId(): string {
    return this.tx.sql.orgId;
  }

  /**
   * Deferred (`Sql.defer`): the event rides with the transaction's next statement or its commit,
   * so it still exists exactly when its action does, and a read costs no round trip of its own.
   */
  insert(event: AuditEventRow): void {
    const sql = this.tx.sql;
    sql.defer(INSERT, [
      sql.orgId,
      event.actorType,
      event.actorUserId,
      event.clinicId,
      event.action,
      event.resourceType,
      event.resourceId,
      event.requestId,
      event.details,
    ]);
  }
}
