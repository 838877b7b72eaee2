import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Revenue over time (issue 15, the console's analytics): each org's daily usage row also keeps
 * its monthly recurring revenue on that day (minor units of `currency`; 0 without a live
 * subscription), as the collector finds it in organization_billing, so revenue per region and plan
 * can be charted beside the usage it came with.
 */
export class UsageRevenue1764892000000 implements MigrationInterface {
  name = 'UsageRevenue1764892000000';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `ALTER TABLE usage_daily ADD COLUMN mrr bigint NOT NULL DEFAULT 0 CHECK (mrr >= 0)`,
      `ALTER TABLE usage_daily ADD COLUMN currency char(3)`,
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE usage_daily DROP COLUMN currency, DROP COLUMN mrr');
  }
}
