import { randomUUID } from 'node:crypto';
import { foreignKeyOrderProblems, TENANT_TABLES } from '../src/database/tenant-tables';
import { withClient } from './db';
import { testDb } from './support';

/** The schema keeps the promises of DESIGN.md §4 for every table, present and future. */
/**
 * The tables whose rows may have no organization, from the registry: the global medicine
 * catalogue (organization_id NULL, readable by every org, written only by migrations or ops). Its
 * key is its id alone, so that prescriptions in any org can reference a global medicine.
 */
const GLOBAL_CATALOGUES = TENANT_TABLES.filter((entry) => entry.globalRows).map((entry) => entry.table);

describe('regional schema security', () => {
  const admin = () => testDb().adminUrl;

  it('forces row-level security on every table with organization_id (and on every other table too)', async () => {
    const rows = await withClient(admin(), async (c) =>
      (
        await c.query<{ relname: string; rls: boolean; forced: boolean; has_org: boolean; policies: number }>(`
          select c.relname, c.relrowsecurity as rls, c.relforcerowsecurity as forced,
                 exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'organization_id' and not a.attisdropped) as has_org,
                 (select count(*)::int from pg_policy p where p.polrelid = c.oid) as policies
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where n.nspname = 'public' and c.relkind in ('r', 'p') and c.relname <> 'schema_migrations'`)
      ).rows,
    );
    expect(rows.filter((r) => r.has_org).length).toBeGreaterThanOrEqual(5);
    const weak = rows.filter((r) => !r.rls || !r.forced || r.policies === 0).map((r) => r.relname);
    expect(weak).toEqual([]);
  });

  it('the app role is not superuser, cannot bypass RLS and owns nothing', async () => {
    const facts = await withClient(admin(), async (c) => {
      const role = (await c.query(`select rolsuper, rolbypassrls, rolcreaterole, rolcreatedb from pg_roles where rolname = 'medgenie_app'`)).rows[0];
      const owned = (
        await c.query(`
          select 'table ' || relname as what from pg_class where relowner = 'medgenie_app'::regrole
          union all select 'function ' || proname from pg_proc where proowner = 'medgenie_app'::regrole
          union all select 'schema ' || nspname from pg_namespace where nspowner = 'medgenie_app'::regrole
          union all select 'type ' || typname from pg_type where typowner = 'medgenie_app'::regrole
          union all select 'database ' || datname from pg_database where datdba = 'medgenie_app'::regrole`)
      ).rows.map((r) => r.what);
      const inherited = (
        await c.query(`
          select r.rolname from pg_auth_members m join pg_roles r on r.oid = m.roleid
           where m.member = 'medgenie_app'::regrole and (r.rolsuper or r.rolbypassrls)`)
      ).rows;
      return { role, owned, inherited };
    });
    expect(facts.role).toEqual({ rolsuper: false, rolbypassrls: false, rolcreaterole: false, rolcreatedb: false });
    expect(facts.owned).toEqual([]);
    expect(facts.inherited).toEqual([]);
  });

  it('every tenant table has a primary key that leads with organization_id, and indexes that lead with it', async () => {
    const bad = await withClient(admin(), async (c) =>
      (
        await c.query<{ index: string }>(`
          select i.indexrelid::regclass::text as index
            from pg_index i
            join pg_class t on t.oid = i.indrelid
            join pg_namespace n on n.oid = t.relnamespace
           where n.nspname = 'public'
             and exists (select 1 from pg_attribute a where a.attrelid = t.oid and a.attname = 'organization_id')
             and not (t.relname = any ($1) and i.indexrelid::regclass::text = t.relname || '_pkey')
             and (i.indkey[0] = 0 or (select attname from pg_attribute where attrelid = t.oid and attnum = i.indkey[0]) <> 'organization_id')`, [GLOBAL_CATALOGUES])
      ).rows.map((r) => r.index),
    );
    expect(bad).toEqual([]);
  });

  it('every foreign key between tenant tables includes organization_id', async () => {
    const bad = await withClient(admin(), async (c) =>
      (
        await c.query<{ conname: string }>(`
          select con.conname
            from pg_constraint con
            join pg_class src on src.oid = con.conrelid
            join pg_class dst on dst.oid = con.confrelid
           where con.contype = 'f' and dst.relname <> 'organizations'
             and not exists (select 1 from unnest(con.conkey) k join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k
                              where a.attname = 'organization_id')
             and not dst.relname = any ($1)`, [GLOBAL_CATALOGUES])
      ).rows.map((r) => r.conname),
    );
    expect(bad).toEqual([]);
  });

  it('the app role may insert and read audit events but never update or delete them', async () => {
    const privileges = await withClient(admin(), async (c) =>
      (
        await c.query(`select has_table_privilege('medgenie_app', 'audit_events', 'INSERT') as ins,
                              has_table_privilege('medgenie_app', 'audit_events', 'SELECT') as sel,
                              has_table_privilege('medgenie_app', 'audit_events', 'UPDATE') as upd,
                              has_table_privilege('medgenie_app', 'audit_events', 'DELETE') as del,
                              has_table_privilege('medgenie_app', 'audit_events', 'TRUNCATE') as trunc`)
      ).rows[0],
    );
    expect(privileges).toEqual({ ins: true, sel: true, upd: false, del: false, trunc: false });
    await withClient(testDb().appUrl, async (c) => {
      await expect(c.query('update audit_events set action = action')).rejects.toMatchObject({ code: '42501' });
      await expect(c.query('delete from audit_events')).rejects.toMatchObject({ code: '42501' });
    });
  });

  it('not even a superuser can rewrite the audit trail without dropping its trigger', async () => {
    await withClient(testDb().adminUrl, async (c) => {
      const orgId = randomUUID();
      await c.query(`insert into organizations (id, slug, name, plan) values ($1, $2, 'Audit Org', 'trial')`, [orgId, `audit-${orgId.slice(0, 8)}`]);
      await c.query(`insert into audit_events (organization_id, actor_type, action, resource_type) values ($1, 'service', 'test.event', 'organization')`, [orgId]);
      await expect(c.query('update audit_events set action = action')).rejects.toMatchObject({ code: '42501' });
      await expect(c.query('delete from audit_events')).rejects.toMatchObject({ code: '42501' });
    });
  });
});

/**
 * The registry of tenant tables (src/database/tenant-tables.ts) is what export, erasure and moves
 * walk: it must hold every table with organization data, and say of each what the live schema says.
 */
describe('the registry of tenant tables', () => {
  const admin = () => testDb().adminUrl;

  interface LiveTable {
    table: string;
    columns: { name: string; type: string; notNull: boolean; generated: boolean }[];
    primaryKey: string[];
    references: string[];
    policies: string[];
  }

  /** Every table of the public schema but the migrations ledger, as the catalogue describes it. */
  let live: Promise<Map<string, LiveTable>> | undefined;
  const liveTables = () =>
    (live ??= withClient(admin(), async (c) => {
      const { rows } = await c.query<LiveTable>(`
        select t.relname as table,
               (select coalesce(jsonb_agg(jsonb_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'notNull', a.attnotnull,
                                                             'generated', a.attgenerated <> '')
                                          order by a.attnum), '[]')
                  from pg_attribute a where a.attrelid = t.oid and a.attnum > 0 and not a.attisdropped) as columns,
               (select coalesce(jsonb_agg(a.attname order by k.ord), '[]')
                  from pg_constraint pk cross join unnest(pk.conkey) with ordinality as k(attnum, ord)
                  join pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum
                 where pk.conrelid = t.oid and pk.contype = 'p') as "primaryKey",
               (select coalesce(jsonb_agg(distinct f.confrelid::regclass::text), '[]')
                  from pg_constraint f where f.conrelid = t.oid and f.contype = 'f') as references,
               (select coalesce(jsonb_agg(coalesce(pg_get_expr(p.polqual, p.polrelid), '') || ' / ' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '')), '[]')
                  from pg_policy p where p.polrelid = t.oid) as policies
          from pg_class t join pg_namespace n on n.oid = t.relnamespace
         where n.nspname = 'public' and t.relkind in ('r', 'p') and t.relname <> 'schema_migrations'`);
      return new Map(rows.map((row) => [row.table, row]));
    }));

  const column = (table: LiveTable, name: string) => table.columns.find((c) => c.name === name);
  const registered: string[] = TENANT_TABLES.map((entry) => entry.table);

  it('holds every table with an organization_id column, and the organizations mirror', async () => {
    const withOrg = [...(await liveTables()).values()].filter((t) => column(t, 'organization_id') || t.table === 'organizations').map((t) => t.table);
    expect(withOrg.length).toBeGreaterThanOrEqual(20);
    expect(withOrg.filter((table) => !registered.includes(table)).sort()).toEqual([]);
  });

  it('holds only tables that exist, each once', async () => {
    const tables = await liveTables();
    expect(registered.filter((table) => !tables.has(table))).toEqual([]);
    expect(new Set(registered).size).toBe(registered.length);
  });

  it.each(TENANT_TABLES.map((entry) => [entry.table, entry] as const))('%s has the org, clinic, blob and generated columns and the primary key it declares', async (name, entry) => {
    const table = (await liveTables()).get(name);
    if (!table) throw new Error(`${name} is not in the schema`);
    const org = column(table, entry.orgColumn);
    expect({ org: org?.type, notNull: org?.notNull }).toEqual({ org: 'uuid', notNull: !entry.globalRows });
    if (entry.orgColumn === 'id') expect(column(table, 'organization_id')).toBeUndefined();
    // A table with a clinic_id column names it (or, for clinics, its own id) as the clinic column.
    expect(entry.clinicColumn).toBe(name === 'clinics' ? 'id' : column(table, 'clinic_id') ? 'clinic_id' : null);
    if (entry.clinicColumn) expect(column(table, entry.clinicColumn)?.type).toBe('uuid');
    for (const blob of entry.blobColumns) {
      expect([column(table, blob.name)?.notNull, column(table, blob.container)?.notNull]).toEqual([true, true]);
    }
    expect(table.primaryKey).toEqual(entry.primaryKey);
    expect(table.columns.filter((c) => c.generated).map((c) => c.name)).toEqual(entry.generatedColumns);
  });

  it.each(TENANT_TABLES.map((entry) => [entry.table, entry] as const))('%s references what it declares (pg_constraint)', async (name, entry) => {
    const table = (await liveTables()).get(name);
    expect([...(table?.references ?? [])].sort()).toEqual([...entry.references].sort());
  });

  it('lists the tables in foreign-key order (parents first), by the live foreign keys', async () => {
    const tables = await liveTables();
    const liveOrder = TENANT_TABLES.map((entry) => ({ table: entry.table, references: tables.get(entry.table)?.references ?? [] }));
    expect(foreignKeyOrderProblems(liveOrder)).toEqual([]);
  });

  it('says which tables are append-only: the app role may neither update nor delete their rows', async () => {
    const appendOnly = await withClient(admin(), async (c) =>
      (
        await c.query<{ table: string }>(
          `select t as table from unnest($1::text[]) t
            where not has_table_privilege('medgenie_app', t, 'UPDATE') and not has_table_privilege('medgenie_app', t, 'DELETE')`,
          [registered],
        )
      ).rows.map((r) => r.table),
    );
    expect(appendOnly.sort()).toEqual(TENANT_TABLES.filter((entry) => entry.appendOnly).map((entry) => entry.table).sort());
  });

  it.each(TENANT_TABLES.map((entry) => [entry.table, entry] as const))('%s filters by clinic under row-level security exactly when it says so', async (name, entry) => {
    const table = (await liveTables()).get(name);
    if (!table) throw new Error(`${name} is not in the schema`);
    expect(table.policies.length).toBeGreaterThan(0);
    const byClinic = table.policies.filter((policy) => policy.includes('mg_current_clinic_ids'));
    expect(byClinic.length > 0).toBe(entry.clinicRls);
    // Each clinic-filtering policy compares the declared clinic column with the caller's clinics.
    for (const policy of byClinic) expect(policy).toContain(`(${entry.clinicColumn} = ANY (`);
  });
});
