import { MigrationInterface, QueryRunner } from 'typeorm';
import { orgPolicy } from './rls';

const APP = 'medgenie_app';

/**
 * Idempotency keys (issue 10): a POST or PATCH sent with `Idempotency-Key` leaves a row here, in
 * the same transaction as its writes, holding the request's fingerprint and the answer it got, so
 * a retry with the same key replays that answer instead of writing again (for 24 hours).
 *
 * A key belongs to one user of one org, on one method and route: the primary key says so, and
 * a duplicate sent while the first is still running waits on it (the unique index) and then
 * reads its answer. Rows expire after 24 hours and are purged as keyed requests come in, a few
 * at a time, through the `(organization_id, created_at)` index. The same rules as every tenant
 * table: the org first in every index, RLS forced.
 */
export class IdempotencyKeys1764000500000 implements MigrationInterface {
  name = 'IdempotencyKeys1764000500000';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE idempotency_keys (
         organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
         user_id uuid NOT NULL,
         method varchar(7) NOT NULL CHECK (method in ('POST', 'PATCH')),
         route varchar(200) COLLATE "C" NOT NULL,
         idempotency_key varchar(255) COLLATE "C" NOT NULL CHECK (idempotency_key ~ '^[!-~]{1,255}$'),
         fingerprint bytea NOT NULL CHECK (length(fingerprint) = 32),
         response_status smallint CHECK (response_status between 100 and 599),
         response_body text,
         created_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (organization_id, user_id, method, route, idempotency_key)
       )`,
      `CREATE INDEX idempotency_keys_expiry ON idempotency_keys (organization_id, created_at)`,
      ...orgPolicy('idempotency_keys'),
      `GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO ${APP}`,
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS idempotency_keys');
  }
}
