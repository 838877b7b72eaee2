import { createHash } from 'node:crypto';

/** A statement run on every request: named, so Postgres parses and plans it (RLS policies included) once per connection. */
export interface PreparedStatement {
  name: string;
  text: string;
}

export function prepared(text: string): PreparedStatement {
  return { name: `mg_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`, text };
}
