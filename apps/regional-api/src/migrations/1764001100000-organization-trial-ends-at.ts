import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When an organization's trial ends (seed 002: signup + 30 days), as the control plane pushes it;
 * null on a paid plan. After it the region answers writes with 402 TRIAL_EXPIRED.
 */
export class OrganizationTrialEndsAt1764001100000 implements MigrationInterface {
  name = 'OrganizationTrialEndsAt1764001100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organizations ADD COLUMN trial_ends_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organizations DROP COLUMN IF EXISTS trial_ends_at`);
  }
}
