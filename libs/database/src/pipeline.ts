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
}

interface Result {
  rows: Row[];
}

/**
 * Several statements in one round trip, each with its own bound parameters: the extended
 * protocol's Parse/Bind/Describe/Execute for every statement, then one Sync. Postgres runs them
 * in order and answers them all at once; after an error it skips the rest up to the Sync, so a
 * statement never runs after one that failed. A `BEGIN` among them opens a transaction that
 * outlives the round trip.
 *
 * pg's `Query` already collects several results (as it does for a simple query with several
 * statements) and parses rows with the client's type parsers; only what it sends differs.
 */
class PipelinedQuery extends (Query as unknown as new (config: { text: string }, values: undefined, callback: (err: Error | null, results: Result | Result[]) => void) => object) {
  constructor(
    private readonly statements: readonly Statement[],
    callback: (err: Error | null, results: Result | Result[]) => void,
  ) {
    super({ text: statements.map((s) => s.text).join(';\n') }, undefined, callback);
  }

  requiresPreparation(): boolean {
    return true;
  }

  submit(connection: Connection): null {
    connection.stream.cork?.();
    try {
      for (const statement of this.statements) {
        connection.parse({ text: statement.text });
        connection.bind({ portal: '', statement: '', values: statement.values, valueMapper: prepareValue });
        connection.describe({ type: 'P', name: '' });
        connection.execute({ portal: '' });
      }
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
    return null;
  }
}

/** Sends `statements` in one round trip (see `PipelinedQuery`) and returns each one's rows, in order. */
export function pipeline(client: ClientBase, statements: readonly Statement[]): Promise<Row[][]> {
  return new Promise((resolve, reject) => {
    const query = new PipelinedQuery(statements, (err, results) => {
      if (err) reject(err);
      else resolve((Array.isArray(results) ? results : [results]).map((r) => r.rows));
    });
    (client as unknown as { query(q: object): void }).query(query);
  });
}
