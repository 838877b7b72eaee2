import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { defer, lastValueFrom, Observable } from 'rxjs';
import { DataSource, QueryRunner } from 'typeorm';
import type { OrgRole } from '@medgenie/contracts';
import { managerSql, TransactionHost } from '@medgenie/database';
import { KeyedSlots } from '@medgenie/limits';
import { RequestContext } from '@medgenie/tenancy';
import { ErrorCode, fail } from '../common/errors';
import { REGIONAL_CONFIG, RegionalConfig } from '../config/regional.config';
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
} from '../idempotency/idempotency-key';
import { claimKeySql, KeyOwner, recordAnswerSql } from '../idempotency/idempotency.repository';

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
  query(text: string): Promise<{ rows: unknown[] }[]>;
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

/** The other end of `adoptTransaction`: the transaction was committed by a statement of ours. */
function endAdoptedTransaction(runner: QueryRunner): void {
  const state = runner as unknown as { isTransactionActive: boolean; transactionDepth: number };
  state.isTransactionActive = false;
  state.transactionDepth = 0;
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
  /** No org's requests hold more than their share of the pool (DATABASE_ORG_MAX_CONNECTIONS); one over it waits its turn, bounded. */
  private readonly orgConnections: KeyedSlots;

  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionHost,
    private readonly context: RequestContext,
    @Inject(REGIONAL_CONFIG) config: RegionalConfig,
  ) {
    const { orgMaxConnections, poolTimeoutMs } = config.database;
    this.orgConnections = new KeyedSlots(orgMaxConnections, poolTimeoutMs, Number.POSITIVE_INFINITY);
  }

  async run<T>(work: () => Promise<T>, roles?: OrgRole[]): Promise<T> {
    return this.begin(beginRequestSql(this.context.orgId, this.context.userId), roles, async (runner) => {
      const result = await this.tx.bind(managerSql(runner.manager, this.context.orgId), work, runner.manager);
      await runner.commitTransaction();
      return result;
    });
  }

  /**
   * `run` for a request that carries an Idempotency-Key: the key is claimed in the round trip that
   * begins the transaction, so a duplicate running at the same time waits there until this one
   * commits, and then replays its answer. When this request owns the key, `work` runs and its
   * answer is stored by the statement that commits, so the key and the writes commit together or
   * not at all: a request that fails leaves no key behind, and its retry runs afresh. Another
   * request under the same key is a 422.
   */
  async runIdempotent<T>(claim: IdempotencyClaim, work: () => Promise<T>, answer: (result: T) => StoredAnswer, roles?: OrgRole[]): Promise<T | ReplayedAnswer> {
    const owner: KeyOwner = { orgId: this.context.orgId, userId: this.context.userId };
    const sql = `${beginRequestSql(owner.orgId, owner.userId)};\n${claimKeySql(owner, claim)}`;
    return this.begin(sql, roles, async (runner, client, results) => {
      const replay = settleClaim(results[results.length - 1].rows[0] as IdempotencyKeyRow | undefined, claim);
      if (replay) {
        await runner.commitTransaction();
        return replay;
      }
      const result = await this.tx.bind(managerSql(runner.manager, this.context.orgId), work, runner.manager);
      // The answer and the commit in one round trip: the key's row leaves this transaction complete.
      const recordAndCommit = `${recordAnswerSql(owner, claim, answer(result))};\ncommit`;
      await client.query(recordAndCommit);
      endAdoptedTransaction(runner);
      return result;
    });
  }

  /**
   * Sends `sql` (`begin`, `mg_begin_request`, and whatever rides with them) as one simple query,
   * applies the membership from its second result, then hands over to `body`, which ends the
   * transaction; on any failure the transaction is rolled back, and the connection always released.
   */
  private async begin<T>(sql: string, roles: OrgRole[] | undefined, body: (runner: QueryRunner, client: PgClient, results: { rows: unknown[] }[]) => Promise<T>): Promise<T> {
    const got = this.orgConnections.acquire(this.context.orgId);
    const giveBack = typeof got === 'function' ? got : await got;
    if (!giveBack) {
      throw fail(ErrorCode.OrganizationBusy, 'This organization has too many requests in progress in this region; retry shortly', 1);
    }
    const runner = this.dataSource.createQueryRunner();
    try {
      const client = (await runner.connect()) as PgClient;
      // From here a failure may leave the transaction open: the rollback below ends it.
      adoptTransaction(runner);
      const results = await client.query(sql);
      this.applyMembership(results[1].rows[0] as MembershipRow | undefined, roles);
      return await body(runner, client, results);
    } catch (err) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      throw err;
    } finally {
      await runner.release();
      giveBack();
    }
  }

  private applyMembership(row: MembershipRow | undefined, roles: OrgRole[] | undefined): void {
    if (!row) throw fail(ErrorCode.NotAMember, 'You are not a member of this organization in this region');
    if (row.org_status !== 'active') throw fail(ErrorCode.OrgNotActive, `This organization is ${row.org_status}`);
    this.context.setMembership({ id: row.membership_id, role: row.member_role, clinics: parseClinicIds(row.clinic_ids) });
    if (roles && !roles.includes(row.member_role)) {
      throw fail(ErrorCode.RoleRequired, `This action needs the role ${roles.join(' or ')}`);
    }
  }
}

/**
 * One transaction per authenticated request: the tenant is pinned first, the membership is
 * resolved inside it, the role is checked, and the handler's queries and audit events all
 * commit or roll back together. Routes marked `@OwnTransactions()` get the membership check
 * only, and run their own short transactions.
 *
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
    if (this.reflector.getAllAndOverride<boolean | undefined>(OWN_TRANSACTIONS_KEY, targets)) {
      // Such a route handles its own Idempotency-Key (it records it in its own transaction) and
      // may answer with a stored answer.
      return defer(async () => {
        await this.transactions.run(async () => undefined, roles);
        const result = await handle();
        return result instanceof ReplayedAnswer ? replay(http.getResponse<FastifyReply>(), result) : result;
      });
    }
    const request = http.getRequest<FastifyRequest>();
    if (request.headers[IDEMPOTENCY_KEY_HEADER] === undefined) return defer(() => this.transactions.run(handle, roles));
    return defer(async () => {
      const claim = jsonClaim(request);
      if (!claim) return this.transactions.run(handle, roles);
      const reply = http.getResponse<FastifyReply>();
      // The status is the route's (set before interceptors run), or what the handler set.
      const answer = (result: unknown): StoredAnswer => ({ status: reply.statusCode, body: result === undefined ? null : JSON.stringify(result) });
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
