import type { PreparedStatement } from './prepared';

export type Row = Record<string, unknown>;

/**
 * A statement and its bound parameters; with a `name` (a `PreparedStatement`'s), it is prepared
 * under that name once per connection, also when it rides in a pipeline (`pipeline`).
 */
export interface Statement {
  text: string;
  values: readonly unknown[];
  name?: string;
}

/**
 * The one handle through which tenant work reaches the database: the statements of one
 * transaction, already pinned to an organization (`OrgScope.run`). Only repositories
 * (`*.repository.ts`) hold one; services state rules and call repositories.
 */
export interface Sql {
  /** The organization this transaction is pinned to (`app.org_id`): the first parameter of every statement on a tenant table. */
  readonly orgId: string;
  /** Runs one statement with bound parameters and returns its rows. */
  query<T = Row>(text: string, values?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement that is run often: named and prepared once per connection where the pool allows it. */
  run<T = Row>(statement: PreparedStatement, values: readonly unknown[]): Promise<T[]>;
  /**
   * Queues a write whose rows nobody reads (an audit event): it is sent in the round trip of the
   * transaction's next statement, or of its commit, ahead of it. It runs in the same order and the
   * same transaction as if it had been sent now, one round trip fewer; should it fail, that next
   * statement (or the commit) fails with its error and the transaction rolls back.
   */
  defer(statement: PreparedStatement, values: readonly unknown[]): void;
  /**
   * Runs `work` under a savepoint: when it throws, what it wrote is undone and the transaction
   * stays usable (a unique violation the caller expects, for one); when it resolves, its writes
   * belong to the transaction like any other.
   */
  savepoint<T>(work: () => Promise<T>): Promise<T>;
}
