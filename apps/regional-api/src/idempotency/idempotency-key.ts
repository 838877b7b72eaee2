import { createHash } from 'node:crypto';
import { HttpStatus } from '@nestjs/common';
import { ErrorCode, fail } from '../common/errors';

/** The request header (Stripe's name), read lower-cased as Node hands headers over. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** Set on an answer that is the stored answer of an earlier request with the same key. */
export const IDEMPOTENT_REPLAYED_HEADER = 'idempotent-replayed';
/** How long a key holds its answer; an older key is ignored and its row replaced. */
export const IDEMPOTENCY_TTL_HOURS = 24;

/** 1 to 255 visible ASCII characters (no spaces): UUIDs, ULIDs, Stripe-style random keys. */
const KEY = /^[\x21-\x7e]{1,255}$/;
const METHODS = new Set(['POST', 'PATCH']);

export type IdempotentMethod = 'POST' | 'PATCH';

/** Where a key lives: with the org and the user (from the request context), one method and route. */
export interface IdempotencyKeyRef {
  key: string;
  method: IdempotentMethod;
  /** The route pattern as Fastify registered it (`/v1/patients/:id`), not the path. */
  route: string;
}

/** A key and the fingerprint of the request that carries it. */
export interface IdempotencyClaim extends IdempotencyKeyRef {
  /** SHA-256 of the method, the path and sorted query, and the body (see `fingerprint`). */
  fingerprint: Buffer;
}

/** What a keyed request answered: its status and the JSON text of its body (null: none). */
export interface StoredAnswer {
  status: number;
  body: string | null;
  /** The clinic of what the answer shows (its `clinicId`), if any: it is replayed only to a caller who may still access that clinic. */
  clinicId?: string | null;
}

/** A stored answer sent again; the request transaction interceptor writes it to the reply. */
export class ReplayedAnswer implements StoredAnswer {
  constructor(
    readonly status: number,
    readonly body: string | null,
  ) {}
}

/** The row of a key as the claim or the lookup reads it. */
export interface IdempotencyKeyRow {
  fingerprint: Buffer;
  response_status: number | null;
  response_body: string | null;
  clinic_id?: string | null;
}

interface RequestLike {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  routeOptions: { url?: string };
}

/**
 * The key a POST or PATCH carries, or undefined (no header, or another method: GET, PUT and
 * DELETE are idempotent already, and their header is ignored). A malformed key is a 400.
 */
export function idempotencyKeyRef(request: RequestLike): IdempotencyKeyRef | undefined {
  const header = request.headers[IDEMPOTENCY_KEY_HEADER];
  if (header === undefined || !METHODS.has(request.method)) return undefined;
  if (typeof header !== 'string' || !KEY.test(header)) {
    throw fail(ErrorCode.IdempotencyKeyInvalid, 'Idempotency-Key must be 1 to 255 visible ASCII characters (no spaces), sent once');
  }
  const route = request.routeOptions.url;
  if (!route) throw new Error('an idempotent request has no route');
  return { key: header, method: request.method as IdempotentMethod, route };
}

/** The path with its query parameters in a stable order: `?b=2&a=1` and `?a=1&b=2` are the same request. */
function canonicalUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const query = new URLSearchParams(url.slice(at + 1));
  query.sort();
  return `${url.slice(0, at)}?${query.toString()}`;
}

/** JSON with every object's keys sorted: the same body sent by a client that orders keys differently. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return '';
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

/**
 * SHA-256 of what makes two requests the same one: method, path and sorted query, and the
 * content (the canonical JSON body, or for a file upload its media type and the file's hash).
 */
export function fingerprint(method: string, url: string, content: string): Buffer {
  return createHash('sha256').update(method).update('\n').update(canonicalUrl(url)).update('\n').update(content).digest();
}

/** A JSON request's claim: its key (if any) and the fingerprint of its body. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The answer to store for a result: its status and JSON, and the clinic it shows (its `clinicId`), if it has one. */
export function storedAnswer(status: number, result: unknown): StoredAnswer {
  const clinicId = (result as { clinicId?: unknown } | null | undefined)?.clinicId;
  return { status, body: result === undefined ? null : JSON.stringify(result), clinicId: typeof clinicId === 'string' && UUID.test(clinicId) ? clinicId : null };
}

export function jsonClaim(request: RequestLike & { body?: unknown }): IdempotencyClaim | undefined {
  const ref = idempotencyKeyRef(request);
  return ref && { ...ref, fingerprint: fingerprint(request.method, request.url, canonicalJson(request.body)) };
}

export const keyReused = () =>
  fail(
    ErrorCode.IdempotencyKeyReused,
    'This Idempotency-Key was already used with a different request (method, path, query or body); use a new key for a new request',
  );

/**
 * What the row of a key means for the request that claimed it: null when the request is the
 * key's owner (it inserted the row, which has no answer until it commits), the stored answer
 * when an earlier request with the same fingerprint committed one, and a 422 for another request.
 */
export function settleClaim(row: IdempotencyKeyRow | undefined, claim: IdempotencyClaim, canAccessClinic: (clinicId: string) => boolean): ReplayedAnswer | null {
  if (!row) {
    // The committed row we conflicted with disappeared before we could read it (it expired at
    // that very moment and was purged): nothing was written, the caller may retry.
    throw fail(ErrorCode.IdempotencyKeyInProgress, 'This Idempotency-Key changed state while the request ran; retry it', 1);
  }
  if (row.response_status === null) return null;
  return answerFor(row, claim.fingerprint, canAccessClinic);
}

/**
 * The stored answer of a completed key for a request with this fingerprint, or a 422. An answer
 * showing a clinic the caller can no longer access (their clinics were narrowed since) is not
 * replayed: a 404, as reading it would be.
 */
export function answerFor(row: IdempotencyKeyRow, requestFingerprint: Buffer, canAccessClinic: (clinicId: string) => boolean): ReplayedAnswer {
  if (!row.fingerprint.equals(requestFingerprint)) throw keyReused();
  if (row.clinic_id && !canAccessClinic(row.clinic_id)) {
    throw fail(ErrorCode.IdempotentAnswerOutOfReach, 'The answer stored under this Idempotency-Key is in a clinic you can no longer access');
  }
  return new ReplayedAnswer(row.response_status ?? HttpStatus.OK, row.response_body);
}
