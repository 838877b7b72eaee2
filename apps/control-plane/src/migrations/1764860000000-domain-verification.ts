import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Custom domains that cannot be hijacked (issue 14). A custom domain serves its org only once
 * verified: the control plane issues `verification_token`, the org publishes the TXT record
 * `_medgenie-verify.<domain>` = `medgenie-verify=<token>`, and `verified_at` is set when it is seen
 * (or a platform admin forces it). Domains already in service are marked verified (at their
 * creation) so nothing that resolves today stops resolving.
 *
 * `organizations.slug_skeleton`: the slug with look-alike characters folded (0→o, 1→l, i→l, 3→e,
 * 4→a, 5→s, 7→t, 8→b; organizations/slug-lookalikes.ts does the same), indexed, so signup finds
 * the slugs a new one could imitate with one indexed query.
 */
export class DomainVerification1764860000000 implements MigrationInterface {
  name = 'DomainVerification1764860000000';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `ALTER TABLE organization_domains ADD COLUMN verification_token varchar(64)`,
      `ALTER TABLE organization_domains ADD COLUMN verified_at timestamptz`,
      `UPDATE organization_domains SET verification_token = replace(gen_random_uuid()::text, '-', ''), verified_at = created_at`,
      `ALTER TABLE organization_domains ALTER COLUMN verification_token SET NOT NULL`,
      'GRANT UPDATE ON organization_domains TO medgenie_app',
      `ALTER TABLE organizations ADD COLUMN slug_skeleton varchar(63)`,
      `UPDATE organizations SET slug_skeleton = translate(slug, '0134578i', 'oleastbl')`,
      `CREATE INDEX organizations_slug_skeleton ON organizations (slug_skeleton)`,
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    const statements = [
      'DROP INDEX IF EXISTS organizations_slug_skeleton',
      'ALTER TABLE organizations DROP COLUMN slug_skeleton',
      'REVOKE UPDATE ON organization_domains FROM medgenie_app',
      'ALTER TABLE organization_domains DROP COLUMN verified_at',
      'ALTER TABLE organization_domains DROP COLUMN verification_token',
    ];
    for (const sql of statements) await q.query(sql);
  }
}
