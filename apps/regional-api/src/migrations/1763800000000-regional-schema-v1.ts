import { MigrationInterface, QueryRunner } from 'typeorm';
import { CLINIC_ALLOWED, CURRENT_ORG, forceRls, orgPolicy } from './rls';

/** The application role (infra/sql/regional-roles.sql): DML grants only. */
const APP = 'medgenie_app';

export class RegionalSchemaV11763800000000 implements MigrationInterface {
  name = 'RegionalSchemaV11763800000000';

  async up(q: QueryRunner): Promise<void> {
    const run = async (statements: string[]) => {
      for (const sql of statements) await q.query(sql);
    };

    // Tenant settings, read by every policy. STABLE SQL functions are inlined by the planner.
    await run([
      `CREATE FUNCTION mg_current_org_id() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE AS
         $$ select nullif(current_setting('app.org_id', true), '')::uuid $$`,
      `CREATE FUNCTION mg_all_clinics() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS
         $$ select coalesce(current_setting('app.clinic_ids', true), '') = '*' $$`,
      `CREATE FUNCTION mg_current_clinic_ids() RETURNS uuid[] LANGUAGE sql STABLE PARALLEL SAFE AS
         $$ select case when coalesce(current_setting('app.clinic_ids', true), '') in ('', '*') then '{}'::uuid[]
                        else current_setting('app.clinic_ids', true)::uuid[] end $$`,
      `CREATE FUNCTION mg_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS
         $$ begin new.updated_at := now(); return new; end $$`,
    ]);

    // Tier 2: the region's mirror of an organization (the registry lives in the control plane).
    await run([
      `CREATE TABLE organizations (
         id uuid PRIMARY KEY,
         slug varchar(63) NOT NULL UNIQUE,
         name varchar(200) NOT NULL,
         plan varchar(20) NOT NULL CHECK (plan in ('trial', 'basic', 'premium', 'enterprise')),
         status varchar(20) NOT NULL DEFAULT 'active' CHECK (status in ('provisioning', 'active', 'suspended', 'deleting')),
         limits jsonb NOT NULL DEFAULT '{}',
         branding jsonb NOT NULL DEFAULT '{}',
         language varchar(8) NOT NULL DEFAULT 'en',
         timezone varchar(64) NOT NULL DEFAULT 'UTC',
         created_at timestamptz NOT NULL DEFAULT now(),
         updated_at timestamptz NOT NULL DEFAULT now()
       )`,
      ...forceRls('organizations'),
      `CREATE POLICY organizations_self ON organizations FOR ALL
         USING (id = ${CURRENT_ORG}) WITH CHECK (id = ${CURRENT_ORG})`,
    ]);

    // Tier 3: clinics. Staff see only the clinics they are granted; only whole-org access writes.
    await run([
      `CREATE TABLE clinics (
         organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
         id uuid NOT NULL DEFAULT gen_random_uuid(),
         name varchar(200) NOT NULL,
         code varchar(50) NOT NULL,
         address jsonb NOT NULL DEFAULT '{}',
         timezone varchar(64) NOT NULL,
         phone varchar(32),
         is_primary boolean NOT NULL DEFAULT false,
         is_active boolean NOT NULL DEFAULT true,
         settings jsonb NOT NULL DEFAULT '{}',
         created_at timestamptz NOT NULL DEFAULT now(),
         updated_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (organization_id, id),
         CONSTRAINT clinics_code_unique UNIQUE (organization_id, code)
       )`,
      `CREATE UNIQUE INDEX clinics_one_primary ON clinics (organization_id) WHERE is_primary`,
      ...forceRls('clinics'),
      `CREATE POLICY clinics_read ON clinics FOR SELECT
         USING (organization_id = ${CURRENT_ORG} and ${CLINIC_ALLOWED('id')})`,
      `CREATE POLICY clinics_insert ON clinics FOR INSERT
         WITH CHECK (organization_id = ${CURRENT_ORG} and (select mg_all_clinics()))`,
      `CREATE POLICY clinics_update ON clinics FOR UPDATE
         USING (organization_id = ${CURRENT_ORG} and (select mg_all_clinics()))
         WITH CHECK (organization_id = ${CURRENT_ORG} and (select mg_all_clinics()))`,
      `CREATE POLICY clinics_delete ON clinics FOR DELETE
         USING (organization_id = ${CURRENT_ORG} and (select mg_all_clinics()))`,
    ]);

    // Who may act in the org, with which role, in which clinics.
    await run([
      `CREATE TABLE memberships (
         organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
         id uuid NOT NULL DEFAULT gen_random_uuid(),
         user_id uuid NOT NULL,
         role varchar(20) NOT NULL CHECK (role in ('org_admin', 'doctor', 'staff')),
         display_name varchar(200) NOT NULL,
         email varchar(254),
         is_active boolean NOT NULL DEFAULT true,
         created_at timestamptz NOT NULL DEFAULT now(),
         updated_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (organization_id, id),
         CONSTRAINT memberships_user_unique UNIQUE (organization_id, user_id)
       )`,
      ...orgPolicy('memberships'),
      `CREATE TABLE membership_clinics (
         organization_id uuid NOT NULL,
         membership_id uuid NOT NULL,
         clinic_id uuid NOT NULL,
         PRIMARY KEY (organization_id, membership_id, clinic_id),
         FOREIGN KEY (organization_id, membership_id) REFERENCES memberships (organization_id, id) ON DELETE CASCADE,
         FOREIGN KEY (organization_id, clinic_id) REFERENCES clinics (organization_id, id) ON DELETE CASCADE
       )`,
      `CREATE INDEX membership_clinics_clinic ON membership_clinics (organization_id, clinic_id)`,
      ...orgPolicy('membership_clinics'),
    ]);

    // Patients (seed 004): one per (mobile number, first name) in an org.
    await run([
      `CREATE TABLE patients (
         organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
         id uuid NOT NULL DEFAULT gen_random_uuid(),
         first_name varchar(100) NOT NULL,
         last_name varchar(100) NOT NULL,
         mobile_number varchar(20) COLLATE "C" NOT NULL,
         date_of_birth date,
         gender varchar(10) CHECK (gender in ('male', 'female', 'other', 'unknown')),
         email varchar(254),
         address jsonb,
         blood_group varchar(3) CHECK (blood_group in ('A+', 'A-', 'B+', 'B-', 'AB+', 'AB-', 'O+', 'O-')),
         allergies text[] NOT NULL DEFAULT '{}',
         emergency_contact jsonb,
         created_by uuid,
         created_at timestamptz NOT NULL DEFAULT now(),
         updated_at timestamptz NOT NULL DEFAULT now(),
         -- Search keys. Under RLS, Postgres only uses an index for a condition whose operators are
         -- LEAKPROOF; LIKE and lower() are not, while text comparisons are. Searches therefore
         -- compare these byte-ordered lower-case keys with a prefix range (>= p and < p || U+10FFFF).
         first_name_key varchar(100) COLLATE "C" GENERATED ALWAYS AS (lower(first_name)) STORED,
         last_name_key varchar(100) COLLATE "C" GENERATED ALWAYS AS (lower(last_name)) STORED,
         PRIMARY KEY (organization_id, id)
       )`,
      `CREATE UNIQUE INDEX patients_mobile_first_name_unique ON patients (organization_id, mobile_number, first_name_key)`,
      `CREATE INDEX patients_first_name ON patients (organization_id, first_name_key)`,
      `CREATE INDEX patients_last_name ON patients (organization_id, last_name_key, first_name_key)`,
      `CREATE INDEX patients_created ON patients (organization_id, created_at DESC, id DESC)`,
      ...orgPolicy('patients'),
    ]);

    // Audit: append-only, even for the owner (trigger), and never updatable by the app (grants).
    await run([
      `CREATE TABLE audit_events (
         organization_id uuid NOT NULL REFERENCES organizations (id),
         id uuid NOT NULL DEFAULT gen_random_uuid(),
         occurred_at timestamptz NOT NULL DEFAULT now(),
         actor_type varchar(10) NOT NULL CHECK (actor_type in ('user', 'service')),
         actor_user_id uuid,
         clinic_id uuid,
         action varchar(64) NOT NULL,
         resource_type varchar(64) NOT NULL,
         resource_id uuid,
         request_id varchar(128),
         details jsonb NOT NULL DEFAULT '{}',
         PRIMARY KEY (organization_id, id)
       )`,
      `CREATE INDEX audit_events_time ON audit_events (organization_id, occurred_at DESC)`,
      `CREATE INDEX audit_events_resource ON audit_events (organization_id, resource_type, resource_id)`,
      ...forceRls('audit_events'),
      `CREATE POLICY audit_events_read ON audit_events FOR SELECT USING (organization_id = ${CURRENT_ORG})`,
      `CREATE POLICY audit_events_append ON audit_events FOR INSERT WITH CHECK (organization_id = ${CURRENT_ORG})`,
      `CREATE FUNCTION mg_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS
         $$ begin raise exception 'audit_events is append-only' using errcode = 'insufficient_privilege'; end $$`,
      `CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
         FOR EACH ROW EXECUTE FUNCTION mg_audit_append_only()`,
      `CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
         FOR EACH STATEMENT EXECUTE FUNCTION mg_audit_append_only()`,
    ]);

    await run(
      ['organizations', 'clinics', 'memberships', 'patients'].map(
        (table) => `CREATE TRIGGER ${table}_updated_at BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION mg_touch_updated_at()`,
      ),
    );

    await run([
      `GRANT SELECT, INSERT, UPDATE ON organizations TO ${APP}`,
      `GRANT SELECT, INSERT, UPDATE, DELETE ON clinics, memberships, membership_clinics, patients TO ${APP}`,
      `GRANT SELECT, INSERT ON audit_events TO ${APP}`,
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    const tables = ['audit_events', 'patients', 'membership_clinics', 'memberships', 'clinics', 'organizations'];
    const functions = ['mg_audit_append_only', 'mg_touch_updated_at', 'mg_current_clinic_ids', 'mg_all_clinics', 'mg_current_org_id'];
    const statements = [...tables.map((t) => `DROP TABLE IF EXISTS ${t} CASCADE`), ...functions.map((f) => `DROP FUNCTION IF EXISTS ${f}()`)];
    for (const sql of statements) await q.query(sql);
  }
}
