/**
 * For repositories' update statements: `column = $n` for each field of `patch` that is defined
 * (null clears), in the order of `columns`, its value pushed onto `values`. Column names come
 * from the repository's own map, never from the caller.
 */
export function assignments<P extends object>(patch: P, columns: Readonly<Record<keyof P, string>>, values: unknown[]): string[] {
  return (Object.keys(columns) as (keyof P)[])
    .filter((field) => patch[field] !== undefined)
    .map((field) => `${columns[field]} = $${values.push(patch[field])}`);
}
