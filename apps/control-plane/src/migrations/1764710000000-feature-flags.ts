import { MigrationInterface, QueryRunner } from 'typeorm';

/** The control plane's application role (infra/sql): DML grants only. */
const APP = 'medgenie_app';

const inRegions = (...regions: string[]) => [{ constraints: [{ contextName: 'regionId', operator: 'IN', values: regions }] }];

/** Seed 000's flags, with its targeting: the defaults a new deployment starts from. */
const DEFAULT_FLAGS = [
  { name: 'hindi_language', description: 'Hindi as an organization language (India).', strategies: inRegions('in') },
  { name: 'french_language', description: 'French as an organization language (Canada).', strategies: inRegions('ca') },
  { name: 'whatsapp_integration', description: 'WhatsApp messaging to patients, in the WhatsApp markets.', strategies: inRegions('in', 'br', 'ae') },
  { name: 'upi_payments', description: 'UPI payments (India).', strategies: inRegions('in') },
  { name: 'fax_integration', description: 'Fax (Canada and the United States).', strategies: inRegions('ca', 'us') },
];

/**
 * Feature flags (DESIGN §7): their definitions, served to the regions and the gateway as the
 * Unleash client API, and what those SDK instances report back (who polled last, and how often
 * each flag answered yes or no, per hour). No tenant data: org and clinic ids appear only as
 * targeting values.
 */
export class FeatureFlags1764710000000 implements MigrationInterface {
  name = 'FeatureFlags1764710000000';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE feature_flags (
         name varchar(64) PRIMARY KEY CONSTRAINT feature_flags_name_check CHECK (name ~ '^[a-z][a-z0-9_]{1,63}$'),
         description varchar(500) NOT NULL DEFAULT '',
         enabled boolean NOT NULL DEFAULT false,
         strategies jsonb NOT NULL DEFAULT '[]' CONSTRAINT feature_flags_strategies_check CHECK (jsonb_typeof(strategies) = 'array'),
         created_at timestamptz NOT NULL DEFAULT now(),
         updated_at timestamptz NOT NULL DEFAULT now()
       )`,
      // One row per SDK instance: the client token's name (a region id or "gateway"), its app and instance.
      `CREATE TABLE flag_client_instances (
         client varchar(32) NOT NULL,
         app_name varchar(200) NOT NULL,
         instance_id varchar(200) NOT NULL,
         sdk_version varchar(100),
         started_at timestamptz,
         interval_ms int,
         registered_at timestamptz,
         last_seen_at timestamptz NOT NULL DEFAULT now(),
         CONSTRAINT flag_client_instances_pkey PRIMARY KEY (client, app_name, instance_id)
       )`,
      // Evaluation counts per flag, client, app and hour (the control plane's clock). No foreign key:
      // an SDK also counts names it does not know, which is worth seeing (a typo, a deleted flag).
      `CREATE TABLE flag_metrics_hourly (
         flag_name varchar(64) NOT NULL,
         client varchar(32) NOT NULL,
         app_name varchar(200) NOT NULL,
         hour timestamptz NOT NULL,
         yes bigint NOT NULL DEFAULT 0,
         no bigint NOT NULL DEFAULT 0,
         CONSTRAINT flag_metrics_hourly_pkey PRIMARY KEY (flag_name, hour, client, app_name)
       )`,
      `GRANT SELECT, INSERT, UPDATE, DELETE ON feature_flags TO ${APP}`,
      `GRANT SELECT, INSERT, UPDATE ON flag_client_instances, flag_metrics_hourly TO ${APP}`,
    ];
    for (const sql of statements) await q.query(sql);
    for (const flag of DEFAULT_FLAGS) {
      await q.query(`INSERT INTO feature_flags (name, description, enabled, strategies) VALUES ($1, $2, true, $3)`, [
        flag.name,
        flag.description,
        JSON.stringify(flag.strategies),
      ]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS flag_metrics_hourly');
    await q.query('DROP TABLE IF EXISTS flag_client_instances');
    await q.query('DROP TABLE IF EXISTS feature_flags');
  }
}
