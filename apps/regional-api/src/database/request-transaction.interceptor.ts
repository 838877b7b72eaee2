import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { defer, lastValueFrom, Observable } from 'rxjs';
import { DataSource, QueryRunner } from 'typeorm';
import type { OrgRole } from '@medgenie/contracts';
import { TransactionHost } from '@medgenie/database';
import { forbidden } from '@medgenie/http';
import { RequestContext } from '@medgenie/tenancy';
import { ErrorCode } from '../common/errors';
import { ROLES_KEY } from '../common/roles.decorator';

interface MembershipRow {
  membership_id: string;
  member_role: OrgRole;
  org_status: string;
  clinic_ids: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Opens the request's transaction, pins the tenant and loads the caller's membership, all in one
 * round trip: `begin` and `mg_begin_request` (migration 1764000400000: org and user first, then
 * `app.clinic_ids` from the membership, '*' for org admins) sent together as one simple-protocol
 * query. A simple query carries no bind parameters, so the two ids are written into the text;
 * they come from a verified token, which only holds UUIDs, and anything else is refused here
 * before it can reach SQL.
 */
function beginRequestSql(orgId: string, userId: string): string {
  if (!UUID.test(orgId) || !UUID.test(userId)) throw new Error('the request identity is not a pair of UUIDs');
  return `begin; select membership_id, member_role, org_status, clinic_ids from mg_begin_request('${orgId}', '${userId}')`;
}

interface PgClient {
  query(text: string): Promise<{ rows: MembershipRow[] }[]>;
}

/**
 * Tells a TypeORM query runner that it is inside a transaction begun by a statement of ours, as
 * its own `startTransaction()` would have: repositories then run in it instead of opening their
 * own, a nested `manager.transaction()` takes a savepoint, and `commitTransaction()` /
 * `rollbackTransaction()` end it. TypeORM has no call for a transaction begun outside it.
 */
function adoptTransaction(runner: QueryRunner): void {
  const state = runner as unknown as { isTransactionActive: boolean; transactionDepth: number };
  state.isTransactionActive = true;
  state.transactionDepth = 1;
}

function parseClinicIds(setting: string): '*' | string[] {
  if (setting === '*') return '*';
  const inner = setting.replace(/^\{|\}$/g, '');
  return inner ? inner.split(',') : [];
}

/**
 * Marks a route whose handler waits on something slow that is not the database (a file
 * streaming in from the caller and out to the blob store): instead of one transaction around
 * the whole request, which would hold a pooled connection for as long as the client takes to
 * send, the membership and role are checked in a short transaction up front, and the handler
 * opens its own short transactions with `RequestTransactions.run`.
 */
export const OWN_TRANSACTIONS_KEY = 'mg:own-transactions';
export const OwnTransactions = () => SetMetadata(OWN_TRANSACTIONS_KEY, true);

/**
 * A tenant transaction for the current request: the tenant is pinned first, the membership is
 * resolved inside it (which pins the clinics), the role is checked, then `work` runs with the
 * transaction bound for repositories (`TransactionHost`).
 */
@Injectable()
export class RequestTransactions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionHost,
    private readonly context: RequestContext,
  ) {}

  async run<T>(work: () => Promise<T>, roles?: OrgRole[]): Promise<T> {
    const sql = beginRequestSql(this.context.orgId, this.context.userId);
    const runner = this.dataSource.createQueryRunner();
    try {
      const client = (await runner.connect()) as PgClient;
      // From here a failure may leave the transaction open: the rollback below ends it.
      adoptTransaction(runner);
      const [, membership] = await client.query(sql);
      this.applyMembership(membership.rows[0], roles);
      const result = await this.tx.bind(runner.manager, work);
      await runner.commitTransaction();
      return result;
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
    }
  }

  private applyMembership(row: MembershipRow | undefined, roles: OrgRole[] | undefined): void {
    if (!row) throw forbidden(ErrorCode.NotAMember, 'You are not a member of this organization in this region');
    if (row.org_status !== 'active') throw forbidden(ErrorCode.OrgNotActive, `This organization is ${row.org_status}`);
    this.context.setMembership({ id: row.membership_id, role: row.member_role, clinics: parseClinicIds(row.clinic_ids) });
    if (roles && !roles.includes(row.member_role)) {
      throw forbidden(ErrorCode.RoleRequired, `This action needs the role ${roles.join(' or ')}`);
    }
  }
}

/**
 * One transaction per authenticated request: the tenant is pinned first, the membership is
 * resolved inside it, the role is checked, and the handler's queries and audit events all
 * commit or roll back together. Routes marked `@OwnTransactions()` get the membership check
 * only, and run their own short transactions.
 */
@Injectable()
export class RequestTransactionInterceptor implements NestInterceptor {
  constructor(
    private readonly transactions: RequestTransactions,
    private readonly context: RequestContext,
    private readonly reflector: Reflector,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.context.hasIdentity) return next.handle();
    const targets = [ctx.getHandler(), ctx.getClass()];
    const roles = this.reflector.getAllAndOverride<OrgRole[] | undefined>(ROLES_KEY, targets);
    const handle = () => lastValueFrom(next.handle(), { defaultValue: undefined });
    if (this.reflector.getAllAndOverride<boolean | undefined>(OWN_TRANSACTIONS_KEY, targets)) {
      return defer(async () => {
        await this.transactions.run(async () => undefined, roles);
        return handle();
      });
    }
    return defer(() => this.transactions.run(handle, roles));
  }
}
