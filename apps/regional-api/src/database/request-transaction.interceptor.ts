import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { defer, lastValueFrom, Observable } from 'rxjs';
import type { OrgRole } from '@medgenie/contracts';
import { OrgScope, Row, Tenant, TransactionHost } from '@medgenie/database';
import { MissingTenantContextError, RequestContext } from '@medgenie/tenancy';
import { ErrorCode, fail } from '../common/errors';
import { Clock, trialExpired } from '../organizations/trial';
import { ROLES_KEY } from '../common/roles.decorator';
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  IdempotencyClaim,
  IdempotencyKeyRow,
  jsonClaim,
  ReplayedAnswer,
  settleClaim,
  StoredAnswer,
  storedAnswer,
} from '../idempotency/idempotency-key';
import { claimKeyStatements, KeyOwner, recordAnswerStatement } from '../idempotency/idempotency.repository';

interface MembershipRow {
  membership_id: string;
  member_role: OrgRole;
  org_status: string;
  clinic_ids: string;
  trial_ends_at: Date | null;
  payment_overdue_since: Date | null;
  session_revoked: boolean;
}

/** The methods that change records: refused once the organization's trial has ended, or while its payment is overdue. */
const WRITES = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);
/** The methods that only read: their membership is read with the handler's first statement (`RequestTransactions.runRead`). */
const READS = new Set(['GET', 'HEAD']);

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
    private readonly scope: OrgScope,
    private readonly tx: TransactionHost,
    private readonly context: RequestContext,
    private readonly clock: Clock,
  ) {}

  /**
   * `work` in the request's tenant transaction: the membership read and the role checked first, and
   * for a write (`write`), that the organization may write (`assertWritable`: its trial has not
   * ended, its payment is not overdue; reads keep working), from what the same begin statement read.
   */
  async run<T>(work: () => Promise<T>, roles?: OrgRole[], write = false): Promise<T> {
    return this.scope.run(this.tenant(), async (sql, [membership]) => {
      this.checkMembership(membership, roles, write);
      return this.tx.bind(sql, work);
    });
  }

  /** Read handlers that use the caller's membership before their first statement: `runRead` runs them as `run` does. */
  private readonly membershipFirst = new WeakSet<object>();

  /**
   * `run` for a read (GET): the membership is read in the round trip of the handler's first
   * statement (`openWithFirstStatement`), one round trip fewer, and checked before that
   * statement's rows reach the handler. So a caller who may not read gets the same 403 and sees
   * nothing; only the handler's code before its first statement runs first.
   *
   * A handler that needs the membership before its first statement (its role, its clinics) finds
   * none there (`MissingTenantContextError`), having sent nothing: it is run again as `run` runs
   * it, and `route` (the handler) is remembered to run so from then on.
   */
  async runRead<T>(work: () => Promise<T>, roles: OrgRole[] | undefined, route: object): Promise<T> {
    if (this.membershipFirst.has(route)) return this.run(work, roles);
    let opened = false;
    try {
      return await this.scope.run(this.tenant(), (sql) => this.tx.bind(sql, work), {
        openWithFirstStatement: ([membership]) => {
          opened = true;
          this.checkMembership(membership, roles, false);
        },
      });
    } catch (err) {
      if (opened || !(err instanceof MissingTenantContextError)) throw err;
      this.membershipFirst.add(route);
      return this.run(work, roles);
    }
  }

  /**
   * `run` for a request that carries an Idempotency-Key: the key is claimed in the round trip that
   * begins the transaction, so a duplicate running at the same time waits there until this one
   * commits, and then replays its answer. When this request owns the key, `work` runs and its
   * answer is stored in the round trip that commits, so the key and the writes commit together or
   * not at all: a request that fails leaves no key behind, and its retry runs afresh. Another
   * request under the same key is a 422.
   */
  async runIdempotent<T>(claim: IdempotencyClaim, work: () => Promise<T>, answer: (result: T) => StoredAnswer, roles?: OrgRole[]): Promise<T | ReplayedAnswer> {
    const owner: KeyOwner = { orgId: this.context.orgId, userId: this.context.userId };
    return this.scope.run<T | ReplayedAnswer>(
      this.tenant(),
      async (sql, opened) => {
        const row = opened[0][0] as unknown as MembershipRow | undefined;
        this.applyMembership(row, roles);
        const replay = settleClaim(opened[opened.length - 1][0] as unknown as IdempotencyKeyRow | undefined, claim, (id) => this.context.canAccessClinic(id));
        if (replay) return replay;
        // A keyed request is a POST or PATCH: a write (a replay of what was done before is not).
        this.assertWritable(row!);
        return this.tx.bind(sql, work);
      },
      {
        with: claimKeyStatements(owner, claim),
        // The answer rides with the commit: the key's row leaves this transaction complete.
        commitWith: (result) => (result instanceof ReplayedAnswer ? [] : [recordAnswerStatement(owner, claim, answer(result as T))]),
      },
    );
  }

  /**
   * `work` in a transaction of `orgId` with no user and every clinic: the control plane's calls on
   * internal routes, and background jobs.
   */
  async runForService<T>(orgId: string, work: () => Promise<T>): Promise<T> {
    return this.scope.run({ orgId, userId: null, clinicIds: '*' }, (sql) => this.tx.bind(sql, work));
  }

  private tenant(): Tenant {
    return { orgId: this.context.orgId, userId: this.context.userId, clinicIds: 'membership', sessionId: this.context.sessionId };
  }

  private checkMembership(membership: Row[], roles: OrgRole[] | undefined, write: boolean): void {
    const row = membership[0] as unknown as MembershipRow | undefined;
    this.applyMembership(row, roles);
    if (write) this.assertWritable(row!);
  }

  private applyMembership(row: MembershipRow | undefined, roles: OrgRole[] | undefined): void {
    if (!row) throw fail(ErrorCode.NotAMember, 'You are not a member of this organization in this region');
    if (row.session_revoked) throw fail(ErrorCode.SessionEnded, 'This session has ended (signed out, password changed or access changed); sign in again');
    if (row.org_status !== 'active') throw fail(ErrorCode.OrgNotActive, `This organization is ${row.org_status}`);
    this.context.setMembership({ id: row.membership_id, role: row.member_role, clinics: parseClinicIds(row.clinic_ids) });
    if (roles && !roles.includes(row.member_role)) {
      throw fail(ErrorCode.RoleRequired, `This action needs the role ${roles.join(' or ')}`);
    }
  }
  /**
   * The organization is read-only (reads and export keep working) once its trial has ended (seed
   * 002: 402 TRIAL_EXPIRED), and while the control plane holds it for an unpaid subscription
   * (issue 13, dunning: 402 PAYMENT_OVERDUE, until a paid invoice clears the hold).
   */
  private assertWritable(row: MembershipRow): void {
    const endsAt = row.trial_ends_at;
    if (trialExpired(endsAt, this.clock.now())) {
      throw fail(ErrorCode.TrialExpired, `The trial ended on ${endsAt!.toISOString().slice(0, 10)}; choose a plan to keep adding and changing records`);
    }
    const overdueSince = row.payment_overdue_since;
    if (overdueSince !== null) {
      throw fail(
        ErrorCode.PaymentOverdue,
        `The subscription is unpaid since ${overdueSince.toISOString().slice(0, 10)}; pay the open invoice (Billing) to keep adding and changing records`,
        undefined,
        { paymentOverdueSince: overdueSince.toISOString() },
      );
    }
  }

}

/**
 * One transaction per authenticated request: the tenant is pinned first, the membership is
 * resolved inside it, the role is checked, and the handler's queries and audit events all
 * commit or roll back together. Routes marked `@OwnTransactions()` get the membership check
 * only, and run their own short transactions.
 *
 * A GET reads the membership with the handler's first statement (`RequestTransactions.runRead`).
 * A POST or PATCH with an `Idempotency-Key` header also claims its key in that transaction
 * (`RequestTransactions.runIdempotent`); a request without one pays nothing for the feature but
 * one header lookup.
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
    const http = ctx.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const write = WRITES.has(request.method) && request.url.startsWith('/v1/');
    if (this.reflector.getAllAndOverride<boolean | undefined>(OWN_TRANSACTIONS_KEY, targets)) {
      // Such a route handles its own Idempotency-Key (it records it in its own transaction) and
      // may answer with a stored answer.
      return defer(async () => {
        await this.transactions.run(async () => undefined, roles, write);
        const result = await handle();
        return result instanceof ReplayedAnswer ? replay(http.getResponse<FastifyReply>(), result) : result;
      });
    }
    if (READS.has(request.method)) return defer(() => this.transactions.runRead(handle, roles, ctx.getHandler()));
    if (request.headers[IDEMPOTENCY_KEY_HEADER] === undefined) return defer(() => this.transactions.run(handle, roles, write));
    return defer(async () => {
      const claim = jsonClaim(request);
      if (!claim) return this.transactions.run(handle, roles, write);
      const reply = http.getResponse<FastifyReply>();
      // The status is the route's (set before interceptors run), or what the handler set.
      const answer = (result: unknown): StoredAnswer => storedAnswer(reply.statusCode, result);
      const result = await this.transactions.runIdempotent(claim, handle, answer, roles);
      return result instanceof ReplayedAnswer ? replay(reply, result) : result;
    });
  }
}

/** Sends a stored answer again: its status, its JSON body as it was written, and `Idempotent-Replayed: true`. */
function replay(reply: FastifyReply, answer: ReplayedAnswer): string | undefined {
  void reply.status(answer.status).header(IDEMPOTENT_REPLAYED_HEADER, 'true');
  if (answer.body === null) return undefined;
  void reply.header('content-type', 'application/json; charset=utf-8');
  return answer.body;
}
