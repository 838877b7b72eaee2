import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why a prescription was amended (issue 11): an amendment carries its reason, kept with the new
 * version. Only an amendment (a row that amends another) has one.
 */
export class AmendmentReason1764000600000 implements MigrationInterface {
  name = 'AmendmentReason1764000600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE prescriptions
      ADD COLUMN amendment_reason varchar(1000),
      ADD CONSTRAINT prescriptions_amendment_reason_on_amendment CHECK (amendment_reason IS NULL OR amends_id IS NOT NULL)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE prescriptions DROP CONSTRAINT IF EXISTS prescriptions_amendment_reason_on_amendment,
      DROP COLUMN IF EXISTS amendment_reason`);
  }
}
