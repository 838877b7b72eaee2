import { MigrationInterface, QueryRunner } from 'typeorm';

/** The control plane's application role (infra/sql): DML grants only. */
const APP = 'medgenie_app';

/**
 * Usage history (issue 12, DESIGN §7): one row per organization per day (UTC), the counts its
 * region last reported that day, with the org's region and plan at the time (so aggregates per
 * region and plan hold for past days). Counts only: no names, no contact details, no patient data.
 */
export class UsageDaily1764820000000 implements MigrationInterface {
  name = 'UsageDaily1764820000000';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE usage_daily (
         organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
         day date NOT NULL,
         region_id varchar(8) NOT NULL REFERENCES regions (id),
         plan varchar(20) NOT NULL CHECK (plan in ('trial', 'basic', 'premium', 'enterprise')),
         doctors int NOT NULL CHECK (doctors >= 0),
         patients int NOT NULL CHECK (patients >= 0),
         clinics int NOT NULL CHECK (clinics >= 0),
         staff int NOT NULL CHECK (staff >= 0),
         storage_bytes bigint NOT NULL CHECK (storage_bytes >= 0),
         api_requests bigint NOT NULL CHECK (api_requests >= 0),
         collected_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (organization_id, day)
       )`,
      `CREATE INDEX usage_daily_day ON usage_daily (day, region_id, plan)`,
      `GRANT SELECT, INSERT, UPDATE ON usage_daily TO ${APP}`,
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS usage_daily');
  }
}
