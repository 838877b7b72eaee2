import { Pool, PoolClient } from 'pg';
import type { ClinicAccess } from '@medgenie/tenancy';
import { KeyedSlots } from '@medgenie/limits';
import { poolOptions, PostgresDataSourceOptions } from './data-source';
import { pipeline } from './pipeline';
import { prepared, PreparedStatement } from './prepared';
import type { Row, Sql, Statement } from './sql';

/** Who the work is for: every statement in it sees this organization's rows only (row-level security). */
export interface Tenant {
  orgId: string;
  /** The acting user; null for the control plane's calls and background jobs. */
  userId: string | null;
  /**
   * The clinics the work may touch: '*' for all of the org's, a list, or 'membership': those the
   * user's membership grants, read by the app's `membershipPin` in the same round trip.
   */
  clinicIds: ClinicAccess | 'membership';
  /** The session of the user's token, for `membershipPin` to refuse an ended one. */
  sessionId?: string;
}

export interface OrgScopeOptions {
  /** Named prepared statements for `Sql.run` (off behind PgBouncer in transaction mode before 1.21). */
  preparedStatements?: boolean;
  /**
   * The most connections one organization's work holds at once (default: no cap), so no org can
   * take the whole pool; work over it waits up to `orgWaitMs`, then fails with `busyError()`.
   */
  orgMaxConnections?: number;
  orgWaitMs?: number;
  busyError?: () => Error;
  /**
   * The statement that pins a tenant whose clinics come from its membership (`clinicIds:
   * 'membership'`): it must set `app.org_id`, `app.user_id` and `app.clinic_ids` with
   * `set_config(..., true)` (transaction-local) from its bound parameters. Its rows are handed
   * to the work.
   */
  membershipPin?: (orgId: string, userId: string, sessionId: string | null) => Statement;
  /**
   * Statement and lock timeouts set in each transaction (`set_config(..., true)`, sent with BEGIN
   * in the same round trip), for a pooler in transaction mode (PgBouncer) that drops or refuses
   * them as startup parameters. 0 leaves that one to the server. Default: none (the pool's
   * startup parameters apply).
   */
  timeoutsPerTransaction?: { statementTimeoutMs: number; lockTimeoutMs: number };
}

export interface RunOptions<T> {
  /** Statements sent in the round trip that opens the transaction, after the pin; their rows are handed to the work. */
  with?: readonly Statement[];
  /** Statements sent in the round trip that commits, made from the work's result (their rows are not read). */
  commitWith?: (result: T) => readonly Statement[];
  /**
   * Opens the transaction with the work's first statement instead of before the work: BEGIN, the
   * pin, the `with` statements and that statement go in one round trip, one fewer for the work.
   * This is called with the rows of the pin and of each `with` statement (what the work would get
   * as its second argument, which is then empty) before that statement's rows reach the work; it
   * may throw (the membership does not allow the work), which fails the statement, so the work,
   * and rolls everything back. A work that sends no statement is opened, and this called, before
   * its commit. For work whose code before its first statement reads nothing this decides (a read).
   */
  openWithFirstStatement?: (opened: Row[][]) => void;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The text form of `app.clinic_ids`: `*` for every clinic of the org, otherwise a Postgres
 * uuid[] literal. Ids are checked here so the literal can only ever hold uuids.
 */
export function clinicIdsSetting(clinics: ClinicAccess | null): string {
  if (clinics === null) return '{}';
  if (clinics === '*') return '*';
  for (const id of clinics) {
    if (!UUID.test(id)) throw new Error('clinic access holds a value that is not a uuid');
  }
  return `{${clinics.join(',')}}`;
}

/**
 * Sets the tenant for the current transaction only (`is_local = true`), with bound parameters.
 * When the transaction ends Postgres drops the values, so a pooled connection never carries a
 * tenant into its next use.
 */
export const SET_TENANT_SQL =
  "select set_config('app.org_id', $1, true), set_config('app.user_id', $2, true), set_config('app.clinic_ids', $3, true)";

const SET_TENANT = prepared(SET_TENANT_SQL);

/** The statement that sets `timeoutsPerTransaction` for the transaction (none when both are 0). */
function timeoutsStatement(t: OrgScopeOptions['timeoutsPerTransaction']): Statement[] {
  const set = Object.entries({ statement_timeout: t?.statementTimeoutMs ?? 0, lock_timeout: t?.lockTimeoutMs ?? 0 }).filter(([, ms]) => ms > 0);
  if (!set.length) return [];
  return [{ text: `select ${set.map(([name], i) => `set_config('${name}', $${i + 1}, true)`).join(', ')}`, values: set.map(([, ms]) => `${ms}ms`) }];
}

const BEGIN: Statement = { text: 'begin', values: [] };
const COMMIT: Statement = { text: 'commit', values: [] };

/**
 * The one way tenant work reaches a region's database: requests, internal routes and background
 * jobs alike. `run` opens a transaction whose first statement pins the tenant (bound parameters,
 * transaction-local settings), sent in the same round trip as BEGIN; binds nothing global; hands
 * the work a `Sql` for that transaction alone; commits when the work resolves and rolls back when
 * it throws. A connection whose state is in doubt after a failure (the rollback did not answer)
 * is destroyed, never pooled again, so no pooled connection leaves with a tenant or a
 * transaction on it.
 */
export class OrgScope {
  private readonly orgConnections: KeyedSlots | undefined;
  /** Sent after BEGIN: the transaction's own timeouts (none unless `timeoutsPerTransaction`). */
  private readonly timeouts: Statement[];

  constructor(
    private readonly pool: Pool,
    private readonly options: OrgScopeOptions = {},
  ) {
    this.timeouts = timeoutsStatement(options.timeoutsPerTransaction);
    const max = options.orgMaxConnections;
    this.orgConnections = max ? new KeyedSlots(max, options.orgWaitMs ?? 1_000, Number.POSITIVE_INFINITY) : undefined;
  }

  /** Runs `work` in the tenant's transaction; its second argument holds the rows of the pin, then those of each `with` statement. */
  async run<T>(tenant: Tenant, work: (sql: Sql, opened: Row[][]) => Promise<T>, options: RunOptions<T> = {}): Promise<T> {
    const opening = [BEGIN, ...this.timeouts, this.pin(tenant), ...(options.with ?? [])];
    const giveBack = await this.takeOrgSlot(tenant.orgId);
    try {
      const client = await this.pool.connect();
      let inDoubt: Error | undefined;
      // pg-pool listens for a connection's errors only while it is idle: one that dies while the
      // work holds it (between two statements) would otherwise be an unhandled 'error' event. The
      // work's next statement fails on its own; the connection is destroyed, not pooled again.
      const onError = (err: Error) => {
        inDoubt = err;
      };
      client.on('error', onError);
      try {
        const named = this.options.preparedStatements ?? false;
        const ownRows = (rows: Row[][]) => rows.slice(1 + this.timeouts.length);
        const check = options.openWithFirstStatement;
        const opened = check ? [] : ownRows(await pipeline(client, opening, named));
        const lazy = check ? { statements: opening, check: (rows: Row[][]) => check(ownRows(rows)) } : undefined;
        const sql = new TransactionSql(client, tenant.orgId, named, lazy);
        let result: T;
        try {
          result = await work(sql, opened);
          await sql.open();
        } finally {
          sql.close();
        }
        // Statements the work deferred ride with the commit (a failed work drops them with its rollback).
        await pipeline(client, [...sql.takeDeferred(), ...(options.commitWith?.(result) ?? []), COMMIT], named);
        return result;
      } catch (err) {
        // The transaction may be open (and aborted): end it before the connection goes back.
        // Rolling back after a failed COMMIT only warns that no transaction is in progress.
        await client.query('rollback').catch((rollbackError: Error) => {
          inDoubt = rollbackError;
        });
        throw err;
      } finally {
        client.removeListener('error', onError);
        client.release(inDoubt);
      }
    } finally {
      giveBack?.();
    }
  }

  private ended: Promise<void> | undefined;

  /** Ends the pool (the app's shutdown); once, however often it is called. */
  end(): Promise<void> {
    this.ended ??= this.pool.end();
    return this.ended;
  }

  private pin(tenant: Tenant): Statement {
    if (!UUID.test(tenant.orgId) || (tenant.userId !== null && !UUID.test(tenant.userId))) {
      throw new Error('the tenant is not a pair of UUIDs (organization, user)');
    }
    if (tenant.clinicIds === 'membership') {
      if (!this.options.membershipPin || tenant.userId === null) throw new Error('clinics from a membership need a user and a membershipPin');
      if (tenant.sessionId !== undefined && !UUID.test(tenant.sessionId)) throw new Error('the session is not a UUID');
      return this.options.membershipPin(tenant.orgId, tenant.userId, tenant.sessionId ?? null);
    }
    return { ...SET_TENANT, values: [tenant.orgId, tenant.userId ?? '', clinicIdsSetting(tenant.clinicIds)] };
  }

  private async takeOrgSlot(orgId: string): Promise<(() => void) | undefined> {
    if (!this.orgConnections) return undefined;
    const got = this.orgConnections.acquire(orgId);
    const giveBack = typeof got === 'function' ? got : await got;
    if (!giveBack) throw this.options.busyError?.() ?? new Error('This organization holds its share of the database connections');
    return giveBack;
  }
}

/** A pg Pool for `OrgScope`, with the same bounded waits as every MedGenie pool (`poolOptions`). */
export function createOrgPool(
  options: Pick<PostgresDataSourceOptions, 'url' | 'applicationName' | 'poolSize' | 'poolTimeoutMs' | 'poolIdleTimeoutMs' | 'statementTimeoutMs' | 'lockTimeoutMs' | 'queryTimeoutMs'>,
): Pool {
  const pool = new Pool({ connectionString: options.url, application_name: options.applicationName, ...poolOptions(options) });
  // An idle connection that dies (the server restarted) is dropped by the pool; without a
  // listener the error would end the process.
  pool.on('error', () => undefined);
  return pool;
}

/** A transaction not opened yet (`openWithFirstStatement`): its opening statements, and the check of their rows. */
interface Unopened {
  statements: readonly Statement[];
  check: (rows: Row[][]) => void;
}

/** `Sql` over the one connection of an `OrgScope.run` transaction; unusable once the work has ended. */
class TransactionSql implements Sql {
  private usable = true;
  /** Deferred statements not yet sent: they go ahead of the next statement, or of the commit. */
  private deferred: Statement[] = [];
  /** The opening round trip and its check while in flight (`openWithFirstStatement`); a failed one stays. */
  private opening?: Promise<void>;

  constructor(
    private readonly client: PoolClient,
    readonly orgId: string,
    private readonly preparedStatements: boolean,
    private unopened?: Unopened,
  ) {}

  async query<T = Row>(text: string, values?: readonly unknown[]): Promise<T[]> {
    this.check();
    if (this.opening) await this.opening;
    if (this.unopened || this.deferred.length) return this.inPipeline<T>({ text, values: values ?? [] });
    return (await this.client.query(text, values as unknown[] | undefined)).rows as T[];
  }

  async run<T = Row>(statement: PreparedStatement, values: readonly unknown[]): Promise<T[]> {
    this.check();
    if (this.opening) await this.opening;
    if (this.unopened || this.deferred.length) return this.inPipeline<T>({ ...statement, values });
    const config = { name: this.preparedStatements ? statement.name : undefined, text: statement.text, values: values as unknown[] };
    return (await this.client.query(config)).rows as T[];
  }

  defer(statement: PreparedStatement, values: readonly unknown[]): void {
    this.check();
    this.deferred.push({ ...statement, values });
  }

  /** The deferred statements not yet sent, handed over once: the commit's round trip sends them. */
  takeDeferred(): Statement[] {
    const statements = this.deferred;
    this.deferred = [];
    return statements;
  }

  /** Opens the transaction if no statement has yet (`openWithFirstStatement`), and checks its opening. */
  async open(): Promise<void> {
    await this.opening;
    const unopened = this.unopened;
    if (!unopened) return;
    this.unopened = undefined;
    unopened.check(await pipeline(this.client, unopened.statements, this.preparedStatements));
  }

  /**
   * `statement` in one round trip behind the deferred statements and, when not sent yet, the
   * opening, whose check runs before any rows are handed back: statements sent meanwhile wait for
   * it (`opening`), and fail with it.
   */
  private async inPipeline<T>(statement: Statement): Promise<T[]> {
    const unopened = this.unopened;
    this.unopened = undefined;
    if (!unopened) {
      const results = await pipeline(this.client, [...this.takeDeferred(), statement], this.preparedStatements);
      return results[results.length - 1] as T[];
    }
    const n = unopened.statements.length;
    const sent = pipeline(this.client, [...unopened.statements, ...this.takeDeferred(), statement], this.preparedStatements);
    const checked = sent.then((results) => unopened.check(results.slice(0, n)));
    this.opening = checked;
    checked.then(
      () => {
        if (this.opening === checked) this.opening = undefined;
      },
      () => undefined, // a failed opening stays: every later statement fails with it
    );
    const results = await sent;
    await checked;
    return results[results.length - 1] as T[];
  }

  async savepoint<T>(work: () => Promise<T>): Promise<T> {
    this.check();
    // One name for every level: Postgres releases or rolls back to the newest savepoint of a name.
    // Through `query`, so deferred statements go first, outside the savepoint.
    await this.query('savepoint mg_sp');
    try {
      const result = await work();
      await this.query('release savepoint mg_sp');
      return result;
    } catch (err) {
      // What the work deferred is undone with it: dropped rather than sent.
      this.deferred = [];
      // Should this fail too, the transaction is aborted and the run rolls it all back.
      await this.client.query('rollback to savepoint mg_sp').catch(() => undefined);
      throw err;
    }
  }

  close(): void {
    this.usable = false;
  }

  private check(): void {
    if (!this.usable) throw new Error('This transaction has ended: a repository kept its Sql beyond the work');
  }
}
