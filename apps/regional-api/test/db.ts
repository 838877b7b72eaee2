import { Client } from 'pg';

/** A short-lived connection for assertions. */
export async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Tenant tables of the regional schema (every table but the migrations ledger). */
export async function tenantTables(adminUrl: string): Promise<string[]> {
  return withClient(adminUrl, async (c) => {
    const { rows } = await c.query<{ relname: string }>(
      `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') and c.relname <> 'schema_migrations' order by 1`,
    );
    return rows.map((r) => r.relname);
  });
}

/** Everything an org holds, read as the superuser, to prove a request changed nothing. */
export async function snapshotOrg(adminUrl: string, orgId: string): Promise<Record<string, unknown[]>> {
  const tables = await tenantTables(adminUrl);
  return withClient(adminUrl, async (c) => {
    const snapshot: Record<string, unknown[]> = {};
    for (const table of tables) {
      const column = table === 'organizations' ? 'id' : 'organization_id';
      const sql = `select to_jsonb(t) as row from ${table} t where ${column} = $1 order by to_jsonb(t)::text`;
      snapshot[table] = (await c.query(sql, [orgId])).rows.map((r) => r.row);
    }
    return snapshot;
  });
}
