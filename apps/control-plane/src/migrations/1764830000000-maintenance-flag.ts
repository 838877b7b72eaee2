import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The gateway's flag `read_only_maintenance` (libs/contracts PLATFORM_FLAG_DEFINITIONS), off: a
 * platform admin turns it on for a region, an org or a plan during maintenance, and the gateway
 * then refuses those orgs' writes while their reads go on. Also lets the control plane prune old
 * hourly flag metrics (DELETE on flag_metrics_hourly).
 */
export class MaintenanceFlag1764830000000 implements MigrationInterface {
  name = 'MaintenanceFlag1764830000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `INSERT INTO feature_flags (name, description, enabled, strategies) VALUES ($1, $2, false, '[]') ON CONFLICT (name) DO NOTHING`,
      ['read_only_maintenance', 'Maintenance: the gateway refuses writes (503, Retry-After) where on; reads go on, marked X-MedGenie-Read-Only.'],
    );
    await q.query('GRANT DELETE ON flag_metrics_hourly TO medgenie_app');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('REVOKE DELETE ON flag_metrics_hourly FROM medgenie_app');
    await q.query("DELETE FROM feature_flags WHERE name = 'read_only_maintenance'");
  }
}
