import { randomUUID } from 'node:crypto';
import { withClient } from './db';
import { testDb } from './support';

/** The schema keeps the promises of DESIGN.md §4 for every table, present and future. */
/**
 * The one table whose rows may have no organization: the global medicine catalogue
 * (organization_id NULL, readable by every org, written only by migrations or ops). Its key is
 * its id alone, so that prescriptions in any org can reference a global medicine.
 */
const GLOBAL_CATALOGUES = ['medicines'];

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
