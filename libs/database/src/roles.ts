import { Client } from 'pg';

/**
 * The database roles of a regional stack (or the control plane):
 * - owner: owns the schema and runs migrations;
 * - app: what the API connects as: DML grants only, owns nothing, not superuser, no BYPASSRLS;
 * - ops: reads every table (BYPASSRLS, SELECT only), for operators and the local state file.
 */
export interface DatabaseRoles {
  owner: string;
  app: string;
  ops: string;
}

export const DEFAULT_ROLES: DatabaseRoles = {
  owner: 'medgenie_owner',
  app: 'medgenie_app',
  ops: 'medgenie_ops',
};

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

function ident(name: string): string {
  if (!IDENT.test(name)) throw new Error(`refusing role or database name ${JSON.stringify(name)}`);
  return `"${name}"`;
}

export interface RoleSpec {
  name: string;
  password: string;
  bypassRls?: boolean;
  memberOf?: string[];
}

/** Creates or corrects a login role. DDL takes no bind parameters, so names are checked and quoted. */
export async function ensureRole(admin: Client, spec: RoleSpec): Promise<void> {
  const exists = await admin.query('select 1 from pg_roles where rolname = $1', [spec.name]);
  const attrs = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE ${spec.bypassRls ? 'BYPASSRLS' : 'NOBYPASSRLS'}`;
  const verb = exists.rowCount ? 'ALTER' : 'CREATE';
  const { rows } = await admin.query('select quote_literal($1) as pw', [spec.password]);
  const ddl = `${verb} ROLE ${ident(spec.name)} WITH ${attrs} PASSWORD ${rows[0].pw}`;
  await admin.query(ddl);
  for (const group of spec.memberOf ?? []) {
    const ddl = `GRANT ${ident(group)} TO ${ident(spec.name)}`;
    await admin.query(ddl);
  }
}

/** Creates the roles and a database owned by the owner role, whose public schema it owns. */
export async function ensureDatabase(admin: Client, database: string, roles: DatabaseRoles): Promise<void> {
  const exists = await admin.query('select 1 from pg_database where datname = $1', [database]);
  const ddl = `CREATE DATABASE ${ident(database)} OWNER ${ident(roles.owner)}`;
  if (!exists.rowCount) await admin.query(ddl);
}

export async function prepareSchema(adminOnDatabase: Client, roles: DatabaseRoles): Promise<void> {
  const ddl = [
    `ALTER SCHEMA public OWNER TO ${ident(roles.owner)}`,
    'REVOKE CREATE ON SCHEMA public FROM PUBLIC',
    `GRANT USAGE ON SCHEMA public TO ${ident(roles.app)}, ${ident(roles.ops)}`,
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${ident(roles.owner)} IN SCHEMA public GRANT SELECT ON TABLES TO ${ident(roles.ops)}`,
  ];
  for (const sql of ddl) await adminOnDatabase.query(sql);
}

export function withCredentials(url: string, user: string, password: string, database?: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  if (database) u.pathname = `/${database}`;
  return u.toString();
}

export function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}

export interface ProvisionedDatabase {
  ownerUrl: string;
  appUrl: string;
  opsUrl: string;
}

/**
 * Sets up one database with its three roles from a superuser connection: what ops run once
 * per region (see infra/sql) and what `npm start` and the test harness do on their own Postgres.
 */
export async function provisionDatabase(
  adminUrl: string,
  database: string,
  passwords: Record<keyof DatabaseRoles, string>,
  roles: DatabaseRoles = DEFAULT_ROLES,
): Promise<ProvisionedDatabase> {
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await ensureRole(admin, { name: roles.owner, password: passwords.owner });
    await ensureRole(admin, { name: roles.app, password: passwords.app });
    await ensureRole(admin, { name: roles.ops, password: passwords.ops, bypassRls: true });
    await ensureDatabase(admin, database, roles);
  } finally {
    await admin.end();
  }
  const onDb = new Client({ connectionString: withCredentials(adminUrl, new URL(adminUrl).username, decodeURIComponent(new URL(adminUrl).password), database) });
  await onDb.connect();
  try {
    await prepareSchema(onDb, roles);
  } finally {
    await onDb.end();
  }
  return {
    ownerUrl: withCredentials(adminUrl, roles.owner, passwords.owner, database),
    appUrl: withCredentials(adminUrl, roles.app, passwords.app, database),
    opsUrl: withCredentials(adminUrl, roles.ops, passwords.ops, database),
  };
}
