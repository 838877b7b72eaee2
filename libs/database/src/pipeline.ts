// pg has no types for its value serializer; the declaration is beside this file.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./pg-internals.d.ts" />
import { Query } from 'pg';
import type { ClientBase } from 'pg';
import { prepareValue } from 'pg/lib/utils';
import type { Row, Statement } from './sql';

/** The wire-protocol calls of pg's Connection that a pipelined query sends. */
interface Connection {
  parse(config: { text: string; name?: string }): void;
  bind(config: { portal: string; statement: string; values: readonly unknown[]; valueMapper: (value: unknown) => unknown }): void;
  describe(config: { type: 'P'; name: string }): void;
  execute(config: { portal: string }): void;
  sync(): void;
  stream: { cork?(): void; uncork?(): void };
  /** The statements prepared on this connection, by name (pg's own record, which its named queries use too). */
  parsedStatements: Record<string, string>;
  on(event: 'parseComplete', listener: () => void): void;
  removeListener(event: 'parseComplete', listener: () => void): void;
}

interface Result {
  rows: Row[];
}

/**
 * Several statements in one round trip, each with its own bound parameters: the extended
 * protocol's Parse/Bind/Describe/Execute for every statement, then one Sync. Postgres runs them
 * in order and answers them all at once; after an error it skips the rest up to the Sync, so a
 * statement never runs after one that failed. A named statement (a `PreparedStatement`'s name)
 * is parsed once per connection, and from then on only bound, as pg's own named queries are
 * (both keep their record in `parsedStatements`): a read's statements and its audit event are
 * not parsed and planned again on every request. A `BEGIN` among them opens a transaction that
 * outlives the round trip.
 *
 * pg's `Query` already collects several results (as it does for a simple query with several
 * statements) and parses rows with the client's type parsers; only what it sends differs.
 */
class PipelinedQuery extends (Query as unknown as new (config: { text: string }, values: undefined, callback: (err: Error | null, results: Result | Result[]) => void) => object) {
  constructor(
    private readonly statements: readonly Statement[],
    /** Whether names are used (false: every statement is sent unnamed, as behind PgBouncer before 1.21). */
    private readonly named: boolean,
    callback: (err: Error | null, results: Result | Result[]) => void,
  ) {
    super({ text: statements.map((s) => s.text).join(';\n') }, undefined, callback);
  }

  requiresPreparation(): boolean {
    return true;
  }

  /** Stops counting this query's ParseComplete messages (once it has ended, either way). */
  private stopListening?: () => void;

  submit(connection: Connection): null | Error {
    const parsed = connection.parsedStatements;
    if (this.named) {
      for (const { name, text } of this.statements) {
        if (name && parsed[name] !== undefined && parsed[name] !== text) return new Error(`two statements are named ${name}`);
      }
    }
    // What each Parse sent here is, in the order Postgres answers them: a named statement counts
    // as prepared on its ParseComplete only. After an error Postgres skips every message up to the
    // Sync, Parses included, so a statement whose Parse was skipped is parsed again next time, and
    // one that was parsed is never parsed twice.
    const parses: (Statement | null)[] = [];
    let parsingNamed: Set<string> | undefined;
    connection.stream.cork?.();
    try {
      for (const statement of this.statements) {
        const name = this.named ? statement.name : undefined;
        const { text } = statement;
        if (!name) {
          connection.parse({ text });
          parses.push(null);
        } else if (parsed[name] === undefined && !parsingNamed?.has(name)) {
          connection.parse({ text, name });
          parses.push(statement);
          (parsingNamed ??= new Set()).add(name);
        }
        connection.bind({ portal: '', statement: name ?? '', values: statement.values, valueMapper: prepareValue });
        connection.describe({ type: 'P', name: '' });
        connection.execute({ portal: '' });
      }
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
    if (parsingNamed) {
      const onParseComplete = () => {
        const statement = parses.shift();
        if (statement?.name) parsed[statement.name] = statement.text;
      };
      connection.on('parseComplete', onParseComplete);
      this.stopListening = () => connection.removeListener('parseComplete', onParseComplete);
    }
    return null;
  }

  handleError(err: Error, connection: Connection): void {
    this.stopListening?.();
    (Query.prototype as unknown as { handleError(err: Error, connection: Connection): void }).handleError.call(this, err, connection);
  }

  handleReadyForQuery(connection: Connection): void {
    this.stopListening?.();
    (Query.prototype as unknown as { handleReadyForQuery(connection: Connection): void }).handleReadyForQuery.call(this, connection);
  }
}

/**
 * Sends `statements` in one round trip (see `PipelinedQuery`) and returns each one's rows, in
 * order. With `named`, statements with a name are prepared under it on this connection.
 */
export function pipeline(client: ClientBase, statements: readonly Statement[], named = false): Promise<Row[][]> {
  return new Promise((resolve, reject) => {
    const query = new PipelinedQuery(statements, named, (err, results) => {
      if (err) reject(err);
      else resolve((Array.isArray(results) ? results : [results]).map((r) => r.rows));
    });
    (client as unknown as { query(q: object): void }).query(query);
  });
}
