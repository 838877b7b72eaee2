import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why and since when an organization is suspended, on its registry row (the admin audit trail
 * keeps the history; the row says what holds now). Both are cleared on reactivation. The
 * application role's table grants on organizations cover the new columns.
 */
export class OrganizationSuspension1764600000000 implements MigrationInterface {
  name = 'OrganizationSuspension1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organizations ADD COLUMN suspended_at timestamptz, ADD COLUMN suspension_reason varchar(500)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organizations DROP COLUMN suspension_reason, DROP COLUMN suspended_at`);
  }
}
