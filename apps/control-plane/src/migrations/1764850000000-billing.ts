import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Stripe billing (DESIGN §7): each organization's customer and subscription as the webhooks last
 * left them, its dunning (a failed payment, the grace period, the read-only hold at its end), and
 * every webhook event by id, so each is applied once. No card data: Stripe holds it. The hold is
 * also on the registry row (`payment_overdue_since`), which is what the org's region is told.
 */
export class Billing1764850000000 implements MigrationInterface {
  name = 'Billing1764850000000';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `ALTER TABLE organizations ADD COLUMN payment_overdue_since timestamptz`,
      `CREATE TABLE organization_billing (
         organization_id uuid PRIMARY KEY CONSTRAINT organization_billing_organization_id_fkey REFERENCES organizations (id) ON DELETE CASCADE,
         customer_id varchar(255) CONSTRAINT organization_billing_customer_key UNIQUE,
         subscription_id varchar(255),
         subscription_status varchar(32),
         price_lookup_key varchar(64),
         currency char(3),
         unit_amount bigint,
         billing_interval varchar(8) CONSTRAINT organization_billing_interval_check CHECK (billing_interval IN ('monthly', 'yearly')),
         quantity int NOT NULL DEFAULT 1,
         current_period_end timestamptz,
         cancel_at_period_end boolean NOT NULL DEFAULT false,
         subscription_version bigint NOT NULL DEFAULT 0,
         dunning_status varchar(16) NOT NULL DEFAULT 'none' CONSTRAINT organization_billing_dunning_check CHECK (dunning_status IN ('none', 'past_due', 'suspended')),
         payment_failed_at timestamptz,
         grace_ends_at timestamptz,
         suspended_at timestamptz,
         payment_version bigint NOT NULL DEFAULT 0,
         updated_at timestamptz NOT NULL DEFAULT now()
       )`,
      `CREATE INDEX organization_billing_grace ON organization_billing (grace_ends_at) WHERE dunning_status = 'past_due'`,
      `CREATE TABLE billing_events (
         id varchar(255) PRIMARY KEY,
         type varchar(100) NOT NULL,
         organization_id uuid,
         object_id varchar(255),
         stripe_created timestamptz NOT NULL,
         received_at timestamptz NOT NULL DEFAULT now(),
         outcome varchar(16) NOT NULL CONSTRAINT billing_events_outcome_check CHECK (outcome IN ('applied', 'stale', 'ignored')),
         detail varchar(500)
       )`,
      `CREATE INDEX billing_events_org ON billing_events (organization_id, received_at DESC)`,
      'GRANT SELECT, INSERT, UPDATE ON organization_billing TO medgenie_app',
      // UPDATE: an event's outcome is settled in the transaction that recorded it.
      'GRANT SELECT, INSERT, UPDATE ON billing_events TO medgenie_app',
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS billing_events');
    await q.query('DROP TABLE IF EXISTS organization_billing');
    await q.query('ALTER TABLE organizations DROP COLUMN IF EXISTS payment_overdue_since');
  }
}
