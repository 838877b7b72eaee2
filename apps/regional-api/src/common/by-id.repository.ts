import type { PreparedStatement, Sql } from '@medgenie/database';

/** The row `statement` reads for the org's `id` ($1 the org, $2 the id), or null when there is none (or RLS hides it). */
export async function rowById<T>(sql: Sql, statement: PreparedStatement, id: string): Promise<T | null> {
  const [row] = await sql.run<T>(statement, [sql.orgId, id]);
  return row ?? null;
}

/** Runs `statement` on the org's `id` ($1 the org, $2 the id). */
export async function runById(sql: Sql, statement: PreparedStatement, id: string): Promise<void> {
  await sql.run(statement, [sql.orgId, id]);
}
