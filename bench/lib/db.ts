import { Client } from 'pg';
import { PLAN_LIMITS } from '@medgenie/contracts';
import { ensureRole, withCredentials } from '@medgenie/database';
import { prepareTestDatabase, startTestPostgres, TestDatabase, TestPostgres } from '@medgenie/testing';
import { migrateRegionalDatabase } from '../../apps/regional-api/src/database/data-source';
import { FIRST_NAMES, LAST_NAMES, SURNAME_SYLLABLES } from './fixture';
import { log } from './report';

export { TestDatabase, TestPostgres };

/** DATABASE_URL (a superuser URL whose database name says "test") or an embedded Postgres. */
export async function startBenchPostgres(): Promise<TestPostgres> {
  const pg = await startTestPostgres();
  log(`postgres: ${process.env.DATABASE_URL ? `DATABASE_URL (${redact(pg.adminUrl)})` : 'embedded (set DATABASE_URL to use your own)'}`);
  return pg;
}

/** A fresh, migrated database `<base>_<suffix>` with the owner, app and ops roles. */
export async function prepareBenchDatabase(pg: TestPostgres, suffix: string): Promise<TestDatabase> {
  return prepareTestDatabase(pg, `${pg.baseName}_${suffix}`, migrateRegionalDatabase);
}

export async function dropBenchDatabase(pg: TestPostgres, db: TestDatabase): Promise<void> {
  if (process.env.BENCH_KEEP_DB === '1') {
    log(`kept database ${db.name} (BENCH_KEEP_DB=1)`);
    return;
  }
  const ddl = `DROP DATABASE IF EXISTS "${db.name.replace(/"/g, '')}" WITH (FORCE)`; // DDL takes no bind parameters
  await withClient(pg.adminUrl, (c) => c.query(ddl));
}

export function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

export async function withClient<T>(url: string, work: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface SeedOptions {
  orgs: number;
  patientsPerOrg: number;
  /** Orgs per INSERT statement (progress is logged per batch). */
  batch?: number;
  /** One org (by number) that holds more patients than the others. */
  largeOrg?: { org: number; patients: number };
}

const sqlArray = (values: string[]) => `array[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(',')}]::text[]`;

/** Patients $3..$4 of orgs $1..$2, sorted by key; deterministic ids and names (fixture.ts). */
const patientsSql = (lastName: string) => `
  insert into patients (organization_id, id, first_name, last_name, mobile_number, date_of_birth, gender,
                        email, blood_group, allergies, created_by, created_at, updated_at)
  select md5('bench-org-' || g)::uuid, md5('bench-patient-' || g || '-' || i)::uuid,
         (${sqlArray(FIRST_NAMES)})[1 + (i / ${LAST_NAMES.length}) % ${FIRST_NAMES.length}],
         ${lastName},
         '+9198' || lpad(i::text, 8, '0'),
         date '1950-01-01' + (i * 97) % 25000,
         (array['male','female','other','unknown'])[1 + i % 4],
         'p' || i || '@example.test',
         (array['A+','A-','B+','B-','AB+','AB-','O+','O-'])[1 + i % 8],
         '{}'::text[],
         md5('bench-user-' || g)::uuid,
         timestamptz '2025-01-01' + i * interval '1 hour',
         timestamptz '2025-01-01' + i * interval '1 hour'
    from generate_series($1::int, $2::int) g cross join generate_series($3::int, $4::int) i
   order by 1, 2`;

const PATIENTS_SQL = patientsSql(`(${sqlArray(LAST_NAMES)})[1 + i % ${LAST_NAMES.length}]`);

/** A large org's further patients carry 1,000 distinct surnames (KARAPA, …), 1 in 100 starting with LARGE_ORG_SEARCH_TERM. */
const s = (k: string) => `(${sqlArray(SURNAME_SYLLABLES)})[1 + ${k} % ${SURNAME_SYLLABLES.length}]`;
const LARGE_ORG_PATIENTS_SQL = patientsSql(`initcap(${s('i')} || ${s(`(i / ${SURNAME_SYLLABLES.length})`)} || ${s(`(i / ${SURNAME_SYLLABLES.length ** 2})`)})`);

/**
 * Seeds `orgs` organizations the way provisioning leaves them (active org, primary clinic,
 * an org_admin membership with that clinic), each with `patientsPerOrg` patients, all with
 * deterministic ids (see fixture.ts). Runs as the superuser, which RLS does not apply to, with
 * FK and other non-ALWAYS triggers off for speed (the rows are consistent by construction),
 * rows sorted by the key so the b-trees fill from the right. Then VACUUM ANALYZE and CHECKPOINT
 * so autovacuum and checkpoints do not land in the measurement.
 */
export async function seedOrgs(db: TestDatabase, options: SeedOptions): Promise<void> {
  const { orgs, patientsPerOrg } = options;
  const batch = options.batch ?? 500;
  const started = Date.now();
  const limits = JSON.stringify(PLAN_LIMITS.enterprise);
  await withClient(db.adminUrl, async (c) => {
    await c.query(`set session_replication_role = replica`);
    await c.query(`set synchronous_commit = off`);
    await c.query(`set work_mem = '256MB'`);
    await c.query(`set maintenance_work_mem = '512MB'`);
    for (let from = 1; from <= orgs; from += batch) {
      const to = Math.min(orgs, from + batch - 1);
      await c.query('begin');
      await c.query(
        `insert into organizations (id, slug, name, plan, status, limits, language, timezone)
         select md5('bench-org-' || g)::uuid, 'bench-org-' || g, 'Bench Org ' || g, 'enterprise', 'active', $3::jsonb, 'en', 'Asia/Kolkata'
           from generate_series($1::int, $2::int) g order by 1`,
        [from, to, limits],
      );
      await c.query(
        `insert into clinics (organization_id, id, name, code, timezone, is_primary)
         select md5('bench-org-' || g)::uuid, md5('bench-clinic-' || g)::uuid, 'Main Clinic', 'MAIN', 'Asia/Kolkata', true
           from generate_series($1::int, $2::int) g order by 1`,
        [from, to],
      );
      await c.query(
        `insert into memberships (organization_id, id, user_id, role, display_name, email)
         select md5('bench-org-' || g)::uuid, md5('bench-membership-' || g)::uuid, md5('bench-user-' || g)::uuid,
                'org_admin', 'Admin ' || g, 'admin-' || g || '@bench.test'
           from generate_series($1::int, $2::int) g order by 1, 2`,
        [from, to],
      );
      await c.query(
        `insert into membership_clinics (organization_id, membership_id, clinic_id)
         select md5('bench-org-' || g)::uuid, md5('bench-membership-' || g)::uuid, md5('bench-clinic-' || g)::uuid
           from generate_series($1::int, $2::int) g order by 1, 2`,
        [from, to],
      );
      await c.query(PATIENTS_SQL, [from, to, 1, patientsPerOrg]);
      await c.query('commit');
      if (orgs > batch) log(`  seeded ${to}/${orgs} orgs (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
    if (options.largeOrg && options.largeOrg.patients > patientsPerOrg) {
      const { org, patients } = options.largeOrg;
      await c.query(LARGE_ORG_PATIENTS_SQL, [org, org, patientsPerOrg + 1, patients]);
      log(`  org ${org} holds ${patients} patients`);
    }
    await c.query('reset session_replication_role');
    for (const table of ['organizations', 'clinics', 'memberships', 'membership_clinics', 'patients', 'audit_events']) {
      const vacuum = `vacuum (analyze) ${table}`; // fixed names; utility commands take no bind parameters
      await c.query(vacuum);
    }
    await c.query('checkpoint');
  });
  log(`seeded ${db.name}: ${orgs} orgs x ${patientsPerOrg} patients in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export const BYPASS_ROLE = 'medgenie_bench_bypass';
const BYPASS_PASSWORD = 'bench_bypass_pw';

/**
 * A login role with BYPASSRLS and the app role's privileges (a member of medgenie_app), for the
 * RLS-off baseline. It is cluster-wide and harmless (no superuser, no DDL).
 */
export async function ensureBypassRole(pg: TestPostgres, db: TestDatabase): Promise<string> {
  await withClient(pg.adminUrl, (c) => ensureRole(c, { name: BYPASS_ROLE, password: BYPASS_PASSWORD, bypassRls: true, memberOf: ['medgenie_app'] }));
  return withCredentials(db.appUrl, BYPASS_ROLE, BYPASS_PASSWORD);
}
