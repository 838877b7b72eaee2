import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A member an org admin removed (issue 14) is `removed`, apart from one deactivated (`disabled`):
 * gone from the member list and from every member route (404), unable to sign in, kept for the
 * audit trails' sake; adding the same email to the same organization again brings the identity
 * back as a new member (a new temporary password, no MFA).
 */
export class RemovedMembers1764893000000 implements MigrationInterface {
  name = 'RemovedMembers1764893000000';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      'ALTER TABLE users DROP CONSTRAINT users_status_check',
      `ALTER TABLE users ADD CONSTRAINT users_status_check CHECK (status in ('provisioning', 'active', 'disabled', 'removed'))`,
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    const statements = [
      `UPDATE users SET status = 'disabled' WHERE status = 'removed'`,
      'ALTER TABLE users DROP CONSTRAINT users_status_check',
      `ALTER TABLE users ADD CONSTRAINT users_status_check CHECK (status in ('provisioning', 'active', 'disabled'))`,
    ];
    for (const sql of statements) await q.query(sql);
  }
}
