import type { PreparedStatement, Sql } from '@medgenie/database';
import { PatchColumns, preparedFor, rowUpdate } from './sql-patch';

/** The row `statement` reads for the org's `id` ($1 the org, $2 the id), or null when there is none (or RLS hides it). */
export async function rowById<T>(sql: Sql, statement: PreparedStatement, id: string): Promise<T | null> {
  const [row] = await sql.run<T>(statement, [sql.orgId, id]);
  return row ?? null;
}

/** Runs `statement` on the org's `id` ($1 the org, $2 the id). */
export async function runById(sql: Sql, statement: PreparedStatement, id: string): Promise<void> {
  await sql.run(statement, [sql.orgId, id]);
}

/** Sets the patch's columns on the org's row `id`, one prepared statement per set of columns; nothing when it sets none. */
export async function updateById<P extends object>(sql: Sql, table: string, columns: PatchColumns<P>, id: string, patch: P): Promise<void> {
  const update = rowUpdate(table, columns, sql.orgId, id, patch);
  if (update) await sql.run(preparedFor(update.text), update.values);
}
