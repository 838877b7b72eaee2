import { MigrationInterface, QueryRunner } from 'typeorm';
import { orgPolicy } from './rls';

const APP = 'medgenie_app';

/**
 * Usage (issue 12): the API requests an organization made on a day (UTC). Requests are counted in
 * memory by each instance and flushed here periodically, one upsert per org (never a write per
 * request). Counts only: no patient data. A tenant table like any other: org first, RLS forced.
 */
export class UsageDaily1764000900000 implements MigrationInterface {
  name = 'UsageDaily1764000900000';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE usage_daily (
         organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
         day date NOT NULL,
         api_requests bigint NOT NULL DEFAULT 0 CHECK (api_requests >= 0),
         updated_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (organization_id, day)
       )`,
      ...orgPolicy('usage_daily'),
      `GRANT SELECT, INSERT, UPDATE, DELETE ON usage_daily TO ${APP}`,
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS usage_daily');
  }
}
