import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sessions that ended (issue 14), kept until their last access token expires: a session is a
 * refresh token family, and its id is the `sid` claim of every access token it issued. Ending one
 * (logout, a password change or reset, a member deactivated or removed, a reused refresh token)
 * revokes its refresh tokens and records it here in the same statement; the control plane then
 * pushes it to the user's region and announces it to the gateways, retrying until the region took
 * it (`delivered_at`) or the tokens have expired anyway. The control plane refuses those tokens
 * itself from this table.
 */
export class EndedSessions1764890000000 implements MigrationInterface {
  name = 'EndedSessions1764890000000';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE ended_sessions (
         session_id uuid PRIMARY KEY,
         user_id uuid NOT NULL,
         organization_id uuid,
         region_id varchar(32),
         ended_at timestamptz NOT NULL DEFAULT now(),
         expires_at timestamptz NOT NULL,
         delivered_at timestamptz,
         attempts int NOT NULL DEFAULT 0,
         next_attempt_at timestamptz NOT NULL DEFAULT now()
       )`,
      `CREATE INDEX ended_sessions_undelivered ON ended_sessions (next_attempt_at) WHERE delivered_at IS NULL`,
      `CREATE INDEX ended_sessions_expires_at ON ended_sessions (expires_at)`,
      'GRANT SELECT, INSERT, UPDATE, DELETE ON ended_sessions TO medgenie_app',
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE ended_sessions');
  }
}
