import { EntityManager } from 'typeorm';
import { prepared, runPrepared } from '@medgenie/database';
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

/**
 * A string literal that reads as `value` whatever `standard_conforming_strings` says: E'' with
 * quotes and backslashes doubled. For the statements that ride in the request's simple-protocol
 * round trips, which carry no bind parameters.
 */
export function sqlLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('a NUL cannot be written in a SQL literal');
  return `E'${value.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

function keyWhere(owner: KeyOwner, ref: IdempotencyKeyRef): string {
  if (!UUID.test(owner.orgId) || !UUID.test(owner.userId)) throw new Error('the owner of an idempotency key is not a pair of UUIDs');
  if (!METHODS.has(ref.method)) throw new Error('an idempotency key is only for POST and PATCH');
  return (
    `organization_id = '${owner.orgId}' and user_id = '${owner.userId}' and method = '${ref.method}'` +
    ` and route = ${sqlLiteral(ref.route)} and idempotency_key = ${sqlLiteral(ref.key)}`
  );
}

/**
 * Claims a key, to run right after the tenant is pinned, in the same simple query (no extra round
 * trip). In order: an expired row of this key is deleted (the key starts afresh); a few expired
 * rows of the org are purged (rows nobody else is purging); the row is inserted, which waits while
 * another transaction holds the same key and skips once that one has committed; and the key's row
 * is read, in a statement of its own so that it sees what that other transaction committed. The
 * last result is the row: no answer yet means this request owns the key.
 */
export function claimKeySql(owner: KeyOwner, claim: IdempotencyClaim): string {
  const where = keyWhere(owner, claim);
  const org = `organization_id = '${owner.orgId}'`;
  return [
    `delete from idempotency_keys where ${where} and ${EXPIRED}`,
    `delete from idempotency_keys where ${org} and ctid = any (array(
       select ctid from idempotency_keys where ${org} and ${EXPIRED} limit ${PURGE_BATCH} for update skip locked))`,
    `insert into idempotency_keys (organization_id, user_id, method, route, idempotency_key, fingerprint)
       values ('${owner.orgId}', '${owner.userId}', '${claim.method}', ${sqlLiteral(claim.route)}, ${sqlLiteral(claim.key)},
               decode('${claim.fingerprint.toString('hex')}', 'hex'))
       on conflict do nothing`,
    `select fingerprint, response_status, response_body from idempotency_keys where ${where}`,
  ].join(';\n');
}

/** Stores the key's answer: sent with the `commit` of the request's transaction, as one simple query. */
export function recordAnswerSql(owner: KeyOwner, ref: IdempotencyKeyRef, answer: StoredAnswer): string {
  if (!Number.isInteger(answer.status) || answer.status < 100 || answer.status > 599) throw new Error('not an HTTP status');
  const body = answer.body === null ? 'null' : sqlLiteral(answer.body);
  return `update idempotency_keys set response_status = ${answer.status}, response_body = ${body} where ${keyWhere(owner, ref)}`;
}

const FIND_ANSWER = prepared(
  `select fingerprint, response_status, response_body from idempotency_keys
    where organization_id = $1 and user_id = $2 and method = $3 and route = $4 and idempotency_key = $5
      and response_status is not null and created_at > now() - interval '${IDEMPOTENCY_TTL_HOURS} hours'`,
);

/** The answer a key holds, if an earlier request with it completed within the last 24 hours. */
export async function findAnswer(manager: EntityManager, owner: KeyOwner, ref: IdempotencyKeyRef): Promise<IdempotencyKeyRow | undefined> {
  const rows = await runPrepared<IdempotencyKeyRow>(manager, FIND_ANSWER, [owner.orgId, owner.userId, ref.method, ref.route, ref.key]);
  return rows[0];
}
