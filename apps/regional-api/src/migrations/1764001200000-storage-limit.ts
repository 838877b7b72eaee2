import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The plans' storage limit (seed 002: the trial's 1,000 MB of stored files): organizations
 * provisioned before it existed get it in their limits, as a new one would from its plan.
 */
export class StorageLimit1764001200000 implements MigrationInterface {
  name = 'StorageLimit1764001200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE organizations SET limits = limits || jsonb_build_object('maxStorageMb', CASE WHEN plan = 'trial' THEN 1000 END)
      WHERE NOT limits ? 'maxStorageMb'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE organizations SET limits = limits - 'maxStorageMb'`);
  }
}
