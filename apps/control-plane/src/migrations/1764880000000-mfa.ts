import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Multi-factor authentication (issue 14): TOTP (RFC 6238) with recovery codes.
 *
 * users: the TOTP secret sealed with KEY_ENCRYPTION_SECRET (AES-256-GCM), the pending one while
 * enrolling, when MFA was turned on, the last time step accepted (a code is never accepted twice,
 * nor one older than the last), and the wrong second-factor attempts since the last right one (not
 * cleared by a right password, so knowing the password does not reset it; at the lockout threshold
 * the account is locked, as for wrong passwords).
 *
 * mfa_recovery_codes: SHA-256 of each single-use recovery code (high-entropy, random), spent by
 * setting used_at in one conditional update.
 *
 * mfa_challenges: the short-lived tokens between the password and the second factor (purpose
 * `login`) and those that only allow enrolment (purpose `enrollment`), stored hashed, bound to one
 * user, with the attempts made on each.
 *
 * organizations.mfa_required: set by the org's admin; its members without MFA must enrol at login.
 */
export class Mfa1764880000000 implements MigrationInterface {
  name = 'Mfa1764880000000';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `ALTER TABLE users ADD COLUMN mfa_secret_encrypted text`,
      `ALTER TABLE users ADD COLUMN mfa_pending_secret_encrypted text`,
      `ALTER TABLE users ADD COLUMN mfa_enabled_at timestamptz`,
      `ALTER TABLE users ADD COLUMN mfa_last_step bigint`,
      `ALTER TABLE users ADD COLUMN mfa_failed_codes int NOT NULL DEFAULT 0`,
      `ALTER TABLE organizations ADD COLUMN mfa_required boolean NOT NULL DEFAULT false`,
      `CREATE TABLE mfa_recovery_codes (
         id uuid CONSTRAINT mfa_recovery_codes_pkey PRIMARY KEY,
         user_id uuid NOT NULL CONSTRAINT mfa_recovery_codes_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
         code_hash char(64) NOT NULL,
         used_at timestamptz,
         created_at timestamptz NOT NULL DEFAULT now(),
         CONSTRAINT mfa_recovery_codes_user_code_key UNIQUE (user_id, code_hash)
       )`,
      `CREATE TABLE mfa_challenges (
         id uuid CONSTRAINT mfa_challenges_pkey PRIMARY KEY,
         user_id uuid NOT NULL CONSTRAINT mfa_challenges_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
         purpose varchar(16) NOT NULL CONSTRAINT mfa_challenges_purpose_check CHECK (purpose IN ('login', 'enrollment')),
         token_hash char(64) NOT NULL CONSTRAINT mfa_challenges_token_hash_key UNIQUE,
         attempts int NOT NULL DEFAULT 0,
         expires_at timestamptz NOT NULL,
         consumed_at timestamptz,
         created_at timestamptz NOT NULL DEFAULT now()
       )`,
      `CREATE INDEX mfa_challenges_user ON mfa_challenges (user_id)`,
      `CREATE INDEX mfa_challenges_expires ON mfa_challenges (expires_at)`,
      'GRANT SELECT, INSERT, UPDATE, DELETE ON mfa_recovery_codes, mfa_challenges TO medgenie_app',
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    const statements = [
      'DROP TABLE IF EXISTS mfa_challenges',
      'DROP TABLE IF EXISTS mfa_recovery_codes',
      'ALTER TABLE organizations DROP COLUMN IF EXISTS mfa_required',
      'ALTER TABLE users DROP COLUMN IF EXISTS mfa_failed_codes',
      'ALTER TABLE users DROP COLUMN IF EXISTS mfa_last_step',
      'ALTER TABLE users DROP COLUMN IF EXISTS mfa_enabled_at',
      'ALTER TABLE users DROP COLUMN IF EXISTS mfa_pending_secret_encrypted',
      'ALTER TABLE users DROP COLUMN IF EXISTS mfa_secret_encrypted',
    ];
    for (const sql of statements) await q.query(sql);
  }
}
