import { prepared, PreparedStatement } from '@medgenie/database';

/**
 * The columns an update may set, by the patch's field names, in the order they are set: a column
 * name, or a column and how its (non-null) value is bound (`JSON.stringify` for jsonb). Column
 * names come from the repository's own map, never from the caller.
 */
export type PatchColumns<P> = { readonly [K in keyof Required<P>]: string | { readonly column: string; readonly bind: (value: unknown) => unknown } };

/**
 * For repositories' update statements: `column = $n` for each field of `patch` that is defined
 * (null clears), in the order of `columns`, its value pushed onto `values`.
 */
export function assignments<P extends object>(patch: P, columns: PatchColumns<P>, values: unknown[]): string[] {
  const sets: string[] = [];
  for (const field of Object.keys(columns) as (keyof P)[]) {
    const value = patch[field];
    if (value === undefined) continue;
    const target = columns[field];
    const [column, bind] = typeof target === 'string' ? [target, undefined] : [target.column, target.bind];
    sets.push(`${column} = $${values.push(bind && value !== null ? bind(value) : value)}`);
  }
  return sets;
}

export interface RowUpdate {
  text: string;
  values: unknown[];
}

export interface RowUpdateOptions {
  /** Also set `updated_at = now()`: 'always', even for an empty patch, or only 'withChanges'. */
  touch?: 'always' | 'withChanges';
  /** The select list the statement returns. */
  returning?: string;
}

/**
 * `update <table> set … where organization_id = $1 and id = $2` for the patch's fields, with its
 * values (org and id first); null when it would set nothing (never with `touch: 'always'`).
 */
export function rowUpdate<P extends object, O extends RowUpdateOptions>(
  table: string,
  columns: PatchColumns<P>,
  orgId: string,
  id: string,
  patch: P,
  options?: O,
): O extends { touch: 'always' } ? RowUpdate : RowUpdate | null;
export function rowUpdate<P extends object>(
  table: string,
  columns: PatchColumns<P>,
  orgId: string,
  id: string,
  patch: P,
  { touch, returning }: RowUpdateOptions = {},
): RowUpdate | null {
  const values: unknown[] = [orgId, id];
  const sets = assignments(patch, columns, values);
  if (touch === 'always' || (touch === 'withChanges' && sets.length > 0)) sets.push('updated_at = now()');
  if (sets.length === 0) return null;
  const text = `update ${table} set ${sets.join(', ')} where organization_id = $1 and id = $2${returning ? ` returning ${returning}` : ''}`;
  return { text, values };
}

const statements = new Map<string, PreparedStatement>();

/**
 * One prepared statement per text a repository builds from its constants (a list per combination
 * of filters, an update per set of columns), so each is planned once for what it does.
 */
export function preparedFor(text: string): PreparedStatement {
  let statement = statements.get(text);
  if (!statement) {
    statement = prepared(text);
    statements.set(text, statement);
  }
  return statement;
}
