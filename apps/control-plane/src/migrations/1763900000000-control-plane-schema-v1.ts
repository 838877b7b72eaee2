import { MigrationInterface, QueryRunner } from 'typeorm';

/** The control plane's application role (infra/sql): DML grants only. Holds no patient data. */
const APP = 'medgenie_app';

const REGIONS = [
  {
    id: 'us',
    name: 'United States',
    domain: 'medgenie.com',
    localDomain: 'us.localhost',
    languages: ['en'],
    currency: 'USD',
    timezone: 'America/New_York',
    compliance: 'HIPAA',
    dataCenter: 'Azure East US',
    apiUrl: 'https://api.us.medgenie.internal',
  },
  {
    id: 'in',
    name: 'India',
    domain: 'medgenie.in',
    localDomain: 'in.localhost',
    languages: ['en', 'hi'],
    currency: 'INR',
    timezone: 'Asia/Kolkata',
    compliance: 'DPDP',
    dataCenter: 'Azure Central India',
    apiUrl: 'https://api.in.medgenie.internal',
  },
  {
    id: 'ca',
    name: 'Canada',
    domain: 'medgenie.ca',
    localDomain: 'ca.localhost',
    languages: ['en', 'fr'],
    currency: 'CAD',
    timezone: 'America/Toronto',
    compliance: 'PIPEDA',
    dataCenter: 'Azure Canada Central',
    apiUrl: 'https://api.ca.medgenie.internal',
  },
];

export class ControlPlaneSchemaV11763900000000 implements MigrationInterface {
  name = 'ControlPlaneSchemaV11763900000000';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE regions (
         id varchar(8) PRIMARY KEY CHECK (id ~ '^[a-z]{2,8}$'),
         name varchar(100) NOT NULL,
         domain varchar(253) NOT NULL UNIQUE,
         local_domain varchar(253) NOT NULL UNIQUE,
         languages varchar(8)[] NOT NULL,
         default_language varchar(8) NOT NULL,
         currency char(3) NOT NULL,
         timezone varchar(64) NOT NULL,
         compliance_framework varchar(32) NOT NULL,
         data_center varchar(100) NOT NULL,
         api_url varchar(500) NOT NULL,
         status varchar(16) NOT NULL DEFAULT 'active' CHECK (status in ('active', 'maintenance', 'retired')),
         CHECK (default_language = any (languages))
       )`,
      `CREATE TABLE organizations (
         id uuid PRIMARY KEY,
         slug varchar(63) NOT NULL UNIQUE,
         name varchar(200) NOT NULL,
         region_id varchar(8) NOT NULL REFERENCES regions (id),
         plan varchar(20) NOT NULL CHECK (plan in ('trial', 'basic', 'premium', 'enterprise')),
         status varchar(20) NOT NULL CHECK (status in ('provisioning', 'active', 'suspended', 'deleting')),
         branding jsonb NOT NULL DEFAULT '{}',
         primary_clinic_id uuid NOT NULL,
         primary_clinic_name varchar(200) NOT NULL,
         provisioning_attempts int NOT NULL DEFAULT 0,
         provisioning_error varchar(500),
         next_provisioning_at timestamptz,
         trial_ends_at timestamptz,
         -- A status or plan change the region has not taken yet (it was unreachable); retried.
         region_sync_pending boolean NOT NULL DEFAULT false,
         created_at timestamptz NOT NULL DEFAULT now(),
         updated_at timestamptz NOT NULL DEFAULT now()
       )`,
      `CREATE INDEX organizations_region_status ON organizations (region_id, status, plan)`,
      `CREATE INDEX organizations_pending ON organizations (next_provisioning_at) WHERE status = 'provisioning' or region_sync_pending`,
      `CREATE TABLE organization_domains (
         domain varchar(253) PRIMARY KEY CHECK (domain = lower(domain)),
         organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
         created_at timestamptz NOT NULL DEFAULT now()
       )`,
      `CREATE INDEX organization_domains_org ON organization_domains (organization_id)`,
      `CREATE TABLE users (
         id uuid PRIMARY KEY,
         email varchar(254) NOT NULL,
         password_hash varchar(200) NOT NULL,
         name varchar(200) NOT NULL,
         organization_id uuid REFERENCES organizations (id),
         role varchar(20) NOT NULL CHECK (role in ('platform_admin', 'org_admin', 'doctor', 'staff')),
         status varchar(20) NOT NULL DEFAULT 'active' CHECK (status in ('provisioning', 'active', 'disabled')),
         clinic_ids uuid[] NOT NULL DEFAULT '{}',
         must_change_password boolean NOT NULL DEFAULT false,
         failed_logins int NOT NULL DEFAULT 0,
         locked_until timestamptz,
         password_changed_at timestamptz NOT NULL DEFAULT now(),
         created_at timestamptz NOT NULL DEFAULT now(),
         updated_at timestamptz NOT NULL DEFAULT now(),
         CHECK ((role = 'platform_admin') = (organization_id IS NULL))
       )`,
      `CREATE UNIQUE INDEX users_email_unique ON users (lower(email))`,
      `CREATE INDEX users_organization ON users (organization_id)`,
      `CREATE TABLE refresh_tokens (
         id uuid PRIMARY KEY,
         user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
         family_id uuid NOT NULL,
         token_hash char(64) NOT NULL UNIQUE,
         expires_at timestamptz NOT NULL,
         used_at timestamptz,
         revoked_at timestamptz,
         created_at timestamptz NOT NULL DEFAULT now()
       )`,
      `CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id)`,
      `CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id)`,
      `CREATE TABLE signing_keys (
         kid varchar(64) PRIMARY KEY,
         alg varchar(10) NOT NULL,
         public_jwk jsonb NOT NULL,
         private_key_enc text NOT NULL,
         created_at timestamptz NOT NULL DEFAULT now(),
         retired_at timestamptz,
         publish_until timestamptz
       )`,
      `CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys ((true)) WHERE retired_at IS NULL`,
      `CREATE TABLE admin_audit_events (
         id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
         occurred_at timestamptz NOT NULL DEFAULT now(),
         actor_user_id uuid,
         action varchar(64) NOT NULL,
         target_type varchar(32) NOT NULL,
         target_id varchar(64),
         details jsonb NOT NULL DEFAULT '{}'
       )`,
      `CREATE INDEX admin_audit_events_time ON admin_audit_events (occurred_at DESC)`,
      `CREATE FUNCTION mg_admin_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS
         $$ begin raise exception 'admin_audit_events is append-only' using errcode = 'insufficient_privilege'; end $$`,
      `CREATE TRIGGER admin_audit_events_append_only BEFORE UPDATE OR DELETE ON admin_audit_events
         FOR EACH ROW EXECUTE FUNCTION mg_admin_audit_append_only()`,
      `GRANT SELECT ON regions TO ${APP}`,
      `GRANT SELECT, INSERT, UPDATE ON organizations TO ${APP}`,
      // DELETE on users: an identity whose region membership could not be made is undone.
      `GRANT SELECT, INSERT, UPDATE, DELETE ON users TO ${APP}`,
      `GRANT SELECT, INSERT, UPDATE, DELETE ON refresh_tokens, signing_keys TO ${APP}`,
      `GRANT SELECT, INSERT, DELETE ON organization_domains TO ${APP}`,
      `GRANT SELECT, INSERT ON admin_audit_events TO ${APP}`,
    ];
    for (const sql of statements) await q.query(sql);
    for (const r of REGIONS) {
      await q.query(
        `INSERT INTO regions (id, name, domain, local_domain, languages, default_language, currency, timezone, compliance_framework, data_center, api_url)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [r.id, r.name, r.domain, r.localDomain, r.languages, r.languages[0], r.currency, r.timezone, r.compliance, r.dataCenter, r.apiUrl],
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    const tables = ['admin_audit_events', 'signing_keys', 'refresh_tokens', 'users', 'organization_domains', 'organizations', 'regions'];
    for (const sql of [...tables.map((t) => `DROP TABLE IF EXISTS ${t} CASCADE`), 'DROP FUNCTION IF EXISTS mg_admin_audit_append_only()']) {
      await q.query(sql);
    }
  }
}
