import { Client } from 'pg';
import { CLINIC_TABLES, TENANT_TABLES, tenantTable } from '../src/database/tenant-tables';

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

/**
 * Tenant tables of the regional schema, by name: the registry's (src/database/tenant-tables.ts),
 * which schema-security.int-spec.ts holds equal to every table with organization data.
 */
export function tenantTables(): string[] {
  return TENANT_TABLES.map((entry) => entry.table).sort();
}

/** Everything an org holds, read as the superuser, to prove a request changed nothing. */
export async function snapshotOrg(adminUrl: string, orgId: string): Promise<Record<string, unknown[]>> {
  return withClient(adminUrl, async (c) => {
    const snapshot: Record<string, unknown[]> = {};
    for (const table of tenantTables()) {
      const { orgColumn } = tenantTable(table);
      const sql = `select to_jsonb(t) as row from ${table} t where ${orgColumn} = $1 order by to_jsonb(t)::text`;
      snapshot[table] = (await c.query(sql, [orgId])).rows.map((r) => r.row);
    }
    return snapshot;
  });
}

/**
 * Everything one clinic of an org holds: the rows of every table the registry places in a clinic
 * (its `clinicColumn`), read as the superuser, to prove a request changed nothing there.
 */
export async function snapshotClinic(adminUrl: string, orgId: string, clinicId: string): Promise<Record<string, Record<string, unknown>[]>> {
  return withClient(adminUrl, async (c) => {
    const snapshot: Record<string, Record<string, unknown>[]> = {};
    for (const { table, orgColumn, clinicColumn } of CLINIC_TABLES) {
      const sql = `select to_jsonb(t) as row from ${table} t where ${orgColumn} = $1 and ${clinicColumn} = $2 order by to_jsonb(t)::text`;
      snapshot[table] = (await c.query(sql, [orgId, clinicId])).rows.map((r) => r.row);
    }
    return snapshot;
  });
}

/** Where a row lives: its table, its org (null for a global catalogue row) and its clinic (null when org-wide). */
export interface RowPlace {
  table: string;
  org: string | null;
  clinic: string | null;
}

/**
 * The place of each row with these ids, in any tenant table keyed by an `id` (one statement over
 * all of them, read as the superuser); ids found nowhere are missing from the map.
 */
export async function placesOf(adminUrl: string, rowIds: string[]): Promise<Map<string, RowPlace>> {
  const sql = TENANT_TABLES.filter((entry) => entry.orgColumn !== 'id' && (entry.primaryKey as readonly string[]).includes('id'))
    .map(
      ({ table, orgColumn, clinicColumn }) =>
        `select id, '${table}' as "table", ${orgColumn} as org, ${clinicColumn ?? 'null::uuid'} as clinic from ${table} where id = any ($1::uuid[])`,
    )
    .join(' union all ');
  return withClient(adminUrl, async (c) => {
    const { rows } = await c.query<RowPlace & { id: string }>(sql, [rowIds]);
    return new Map(rows.map(({ id, ...place }) => [id, place]));
  });
}
