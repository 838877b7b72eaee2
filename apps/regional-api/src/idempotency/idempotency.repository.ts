import { Injectable } from '@nestjs/common';
import { prepared, Statement, TransactionHost } from '@medgenie/database';
import { IDEMPOTENCY_TTL_HOURS, IdempotencyClaim, IdempotencyKeyRef, IdempotencyKeyRow, StoredAnswer } from './idempotency-key';

/** Whose key: the org and user of the request (from a verified token). */
export interface KeyOwner {
  orgId: string;
  userId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const METHODS = new Set(['POST', 'PATCH']);
const EXPIRED = `created_at <= now() - interval '${IDEMPOTENCY_TTL_HOURS} hours'`;
/** Expired rows of the org deleted by each keyed request: more than one request ever adds. */
const PURGE_BATCH = 16;

/** The key's row: $1 org, $2 user, $3 method, $4 route, $5 key. */
const KEY_WHERE = 'organization_id = $1 and user_id = $2 and method = $3 and route = $4 and idempotency_key = $5';

function keyValues(owner: KeyOwner, ref: IdempotencyKeyRef): string[] {
  if (!UUID.test(owner.orgId) || !UUID.test(owner.userId)) throw new Error('the owner of an idempotency key is not a pair of UUIDs');
  if (!METHODS.has(ref.method)) throw new Error('an idempotency key is only for POST and PATCH');
  return [owner.orgId, owner.userId, ref.method, ref.route, ref.key];
}

/**
 * Claims a key: statements sent right after the tenant is pinned, in the same round trip (see
 * `OrgScope.run`'s `with`), with bound parameters. In order: an expired row of this key is
 * deleted (the key starts afresh); a few expired rows of the org are purged (rows nobody else is
 * purging); the row is inserted, which waits while another transaction holds the same key and
 * skips once that one has committed; and the key's row is read, in a statement of its own so that
 * it sees what that other transaction committed. The last result is the row: no answer yet means
 * this request owns the key.
 */
export function claimKeyStatements(owner: KeyOwner, claim: IdempotencyClaim): Statement[] {
  const key = keyValues(owner, claim);
  return [
    { text: `delete from idempotency_keys where ${KEY_WHERE} and ${EXPIRED}`, values: key },
    {
      text: `delete from idempotency_keys where organization_id = $1 and ctid = any (array(
               select ctid from idempotency_keys where organization_id = $1 and ${EXPIRED} limit ${PURGE_BATCH} for update skip locked))`,
      values: [owner.orgId],
    },
    {
      text: `insert into idempotency_keys (organization_id, user_id, method, route, idempotency_key, fingerprint)
               values ($1, $2, $3, $4, $5, $6) on conflict do nothing`,
      values: [...key, claim.fingerprint],
    },
    { text: `select fingerprint, response_status, response_body, clinic_id from idempotency_keys where ${KEY_WHERE}`, values: key },
  ];
}

/** Stores the key's answer: sent with the `commit` of the request's transaction, in one round trip. */
export function recordAnswerStatement(owner: KeyOwner, ref: IdempotencyKeyRef, answer: StoredAnswer): Statement {
  if (!Number.isInteger(answer.status) || answer.status < 100 || answer.status > 599) throw new Error('not an HTTP status');
  return {
    text: `update idempotency_keys set response_status = $6, response_body = $7, clinic_id = $8 where ${KEY_WHERE}`,
    values: [...keyValues(owner, ref), answer.status, answer.body, answer.clinicId ?? null],
  };
}

const FIND_ANSWER = prepared(
  `select fingerprint, response_status, response_body, clinic_id from idempotency_keys
    where ${KEY_WHERE} and response_status is not null and created_at > now() - interval '${IDEMPOTENCY_TTL_HOURS} hours'`,
);

/** The answer a key holds, if an earlier request with it completed within the last 24 hours. */
@Injectable()
export class IdempotencyRepository {
  constructor(private readonly tx: TransactionHost) {}

  async findAnswer(owner: KeyOwner, ref: IdempotencyKeyRef): Promise<IdempotencyKeyRow | undefined> {
    const rows = await this.tx.sql.run<IdempotencyKeyRow>(FIND_ANSWER, keyValues(owner, ref));
    return rows[0];
  }
}

