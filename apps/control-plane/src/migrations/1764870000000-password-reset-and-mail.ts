import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Password reset and mail (issue 14).
 *
 * `password_reset_tokens`: a forgotten-password link's token, stored only as its SHA-256. It works
 * once (`used_at`), until `expires_at`; a newer request marks the earlier unused ones used, so only
 * the latest link works. Rows go with their user.
 *
 * `mail_outbox`: mail waiting to be sent, so a request never waits for (or fails with) the relay
 * and a restart loses nothing. The message (subject, text, html) is sealed with AES-256-GCM under
 * the key encryption secret, since it can carry a reset link or a temporary password; a message is
 * deleted once sent, and its content erased when it is given up. Rows go with their user.
 */
export class PasswordResetAndMail1764870000000 implements MigrationInterface {
  name = 'PasswordResetAndMail1764870000000';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE password_reset_tokens (
         id uuid PRIMARY KEY,
         user_id uuid NOT NULL CONSTRAINT password_reset_tokens_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
         token_hash char(64) NOT NULL CONSTRAINT password_reset_tokens_token_hash_key UNIQUE,
         expires_at timestamptz NOT NULL,
         used_at timestamptz,
         created_at timestamptz NOT NULL DEFAULT now()
       )`,
      `CREATE INDEX password_reset_tokens_user ON password_reset_tokens (user_id) WHERE used_at IS NULL`,
      `CREATE TABLE mail_outbox (
         id uuid PRIMARY KEY,
         kind varchar(40) NOT NULL,
         user_id uuid CONSTRAINT mail_outbox_user_id_fkey REFERENCES users (id) ON DELETE CASCADE,
         recipient varchar(254) NOT NULL,
         sealed_message text,
         status varchar(10) NOT NULL DEFAULT 'pending' CONSTRAINT mail_outbox_status_check CHECK (status IN ('pending', 'failed')),
         attempts int NOT NULL DEFAULT 0,
         next_attempt_at timestamptz NOT NULL DEFAULT now(),
         last_error varchar(500),
         created_at timestamptz NOT NULL DEFAULT now()
       )`,
      `CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE status = 'pending'`,
      `CREATE INDEX mail_outbox_user ON mail_outbox (user_id)`,
      'GRANT SELECT, INSERT, UPDATE, DELETE ON password_reset_tokens TO medgenie_app',
      'GRANT SELECT, INSERT, UPDATE, DELETE ON mail_outbox TO medgenie_app',
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS mail_outbox');
    await q.query('DROP TABLE IF EXISTS password_reset_tokens');
  }
}
