import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Failed logins for emails that belong to no one (issue 14: the same answers for known and unknown
 * emails). Without this, six wrong passwords tell an attacker whether an email has an account:
 * a known one answers ACCOUNT_LOCKED, an unknown one keeps answering INVALID_CREDENTIALS. Unknown
 * emails are counted and locked by the same rule as accounts, keyed by the email's SHA-256 (the
 * address itself is not kept); rows untouched for a day are pruned.
 */
export class UnknownLoginFailures1764891000000 implements MigrationInterface {
  name = 'UnknownLoginFailures1764891000000';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE unknown_login_failures (
         email_hash char(64) PRIMARY KEY,
         failed_logins int NOT NULL DEFAULT 0,
         locked_until timestamptz,
         updated_at timestamptz NOT NULL DEFAULT now()
       )`,
      `CREATE INDEX unknown_login_failures_updated_at ON unknown_login_failures (updated_at)`,
      'GRANT SELECT, INSERT, UPDATE, DELETE ON unknown_login_failures TO medgenie_app',
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE unknown_login_failures');
  }
}
