import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';

/** A statement run on every request: named, so Postgres parses and plans it (RLS policies included) once per connection. */
export interface PreparedStatement {
  name: string;
  text: string;
}

export function prepared(text: string): PreparedStatement {
  return { name: `mg_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`, text };
}

const enabled = new WeakSet<DataSource>();

/**
 * Named prepared statements need a server connection that stays with the client; PgBouncer in
 * transaction mode before 1.21 does not keep them, so they are opt-in per DataSource
 * (DATABASE_PREPARED_STATEMENTS).
 */
export function usePreparedStatements(dataSource: DataSource, on = true): void {
  if (on) enabled.add(dataSource);
  else enabled.delete(dataSource);
}

interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/** Runs `statement` in the manager's transaction: as a named prepared statement when enabled. */
export async function runPrepared<T>(manager: EntityManager, statement: PreparedStatement, values: unknown[]): Promise<T[]> {
  const runner = manager.queryRunner as (EntityManager['queryRunner'] & { connect(): Promise<PgClient> }) | undefined;
  if (runner && enabled.has(manager.connection)) {
    const client = await runner.connect();
    return (await client.query({ name: statement.name, text: statement.text, values })).rows as T[];
  }
  return manager.query(statement.text, values);
}

/** TRANSITIONAL (issue 11): a `Sql` over a TypeORM manager's transaction, until `OrgScope` owns the connection. */
export function managerSql(manager: EntityManager, orgId: string): import('./sql').Sql {
  return {
    orgId,
    query: (text, values) => manager.query(text, values as unknown[] | undefined),
    run: (statement, values) => runPrepared(manager, statement, values as unknown[]),
    savepoint: (work) => manager.transaction(() => work()),
  };
}
