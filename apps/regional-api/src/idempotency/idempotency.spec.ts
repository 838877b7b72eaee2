import { DomainError } from '@medgenie/http';
import { answerFor, canonicalJson, fingerprint, idempotencyKeyRef, jsonClaim, ReplayedAnswer, settleClaim } from './idempotency-key';
import { claimKeyStatements, recordAnswerStatement } from './idempotency.repository';

const request = (headers: Record<string, string | string[] | undefined>, method = 'POST', url = '/v1/patients', body?: unknown) => ({
  method,
  url,
  headers,
  body,
  routeOptions: { url: url.split('?')[0] },
});

describe('idempotency keys', () => {
  it('reads a key from POST and PATCH only, and refuses a malformed one with a coded 400', () => {
    expect(idempotencyKeyRef(request({}))).toBeUndefined();
    expect(idempotencyKeyRef(request({ 'idempotency-key': 'k' }, 'GET'))).toBeUndefined();
    expect(idempotencyKeyRef(request({ 'idempotency-key': 'k' }, 'DELETE'))).toBeUndefined();
    expect(idempotencyKeyRef(request({ 'idempotency-key': 'k-1' }, 'PATCH'))).toEqual({ key: 'k-1', method: 'PATCH', route: '/v1/patients' });
    expect(idempotencyKeyRef(request({ 'idempotency-key': '~'.repeat(255) }))?.key).toHaveLength(255);
    for (const bad of ['', ' ', 'a b', 'x'.repeat(256), 'é', 'a\nb', ['a', 'b']]) {
      const thrown = (() => {
        try {
          idempotencyKeyRef(request({ 'idempotency-key': bad }));
        } catch (err) {
          return err;
        }
      })();
      expect(thrown).toBeInstanceOf(DomainError);
      expect(thrown).toMatchObject({ status: 400, code: 'IDEMPOTENCY_KEY_INVALID' });
    }
  });

  it('fingerprints the same request the same way, whatever the order of its keys and query parameters', () => {
    const a = jsonClaim(request({ 'idempotency-key': 'k' }, 'POST', '/v1/x?b=2&a=1', { z: 1, a: { d: [3, { y: 1, x: 2 }], c: null } }));
    const b = jsonClaim(request({ 'idempotency-key': 'k' }, 'POST', '/v1/x?a=1&b=2', { a: { c: null, d: [3, { x: 2, y: 1 }] }, z: 1 }));
    expect(a?.fingerprint.equals(b?.fingerprint ?? Buffer.alloc(0))).toBe(true);
    expect(a?.fingerprint).toHaveLength(32);
    expect(canonicalJson({ b: 1, a: [2, 1] })).toBe('{"a":[2,1],"b":1}');
    // Array order, values, path, query and method all count.
    const base = fingerprint('POST', '/v1/x', canonicalJson([1, 2]));
    for (const other of [
      fingerprint('POST', '/v1/x', canonicalJson([2, 1])),
      fingerprint('PATCH', '/v1/x', canonicalJson([1, 2])),
      fingerprint('POST', '/v1/y', canonicalJson([1, 2])),
      fingerprint('POST', '/v1/x?a=1', canonicalJson([1, 2])),
    ]) {
      expect(other.equals(base)).toBe(false);
    }
  });

  it('settles a claim: own row (no answer yet), replay of the same request, 422 for another', () => {
    const claim = { key: 'k', method: 'POST' as const, route: '/v1/x', fingerprint: fingerprint('POST', '/v1/x', '{}') };
    expect(settleClaim({ fingerprint: claim.fingerprint, response_status: null, response_body: null }, claim, () => true)).toBeNull();
    const replay = settleClaim({ fingerprint: claim.fingerprint, response_status: 201, response_body: '{"id":"1"}' }, claim, () => true);
    expect(replay).toEqual(new ReplayedAnswer(201, '{"id":"1"}'));
    expect(() => answerFor({ fingerprint: Buffer.alloc(32), response_status: 201, response_body: '{}' }, claim.fingerprint, () => true)).toThrow(
      expect.objectContaining({ status: 422, code: 'IDEMPOTENCY_KEY_REUSED' }),
    );
    // A stored answer showing a clinic the caller can no longer access is not replayed.
    const elsewhere = { fingerprint: claim.fingerprint, response_status: 201, response_body: '{"id":"1"}', clinic_id: '00000000-0000-4000-8000-0000000000c2' };
    expect(() => settleClaim(elsewhere, claim, () => false)).toThrow(expect.objectContaining({ status: 404, code: 'IDEMPOTENT_ANSWER_OUT_OF_REACH' }));
    expect(settleClaim(elsewhere, claim, (id) => id === elsewhere.clinic_id)).toEqual(new ReplayedAnswer(201, '{"id":"1"}'));
    expect(() => settleClaim(undefined, claim, () => true)).toThrow(expect.objectContaining({ status: 409, code: 'IDEMPOTENCY_KEY_IN_PROGRESS' }));
  });

  it('sends keys and bodies as bound parameters, never in the text, and refuses what is not a UUID, a method or a status', () => {
    const owner = { orgId: '00000000-0000-4000-8000-000000000001', userId: '00000000-0000-4000-8000-000000000002' };
    const claim = { key: `x';drop`, method: 'POST' as const, route: '/v1/x', fingerprint: Buffer.alloc(32) };
    const statements = claimKeyStatements(owner, claim);
    expect(statements.map((s) => s.text).join(';')).not.toContain('drop');
    expect(statements[2].values).toEqual([owner.orgId, owner.userId, 'POST', '/v1/x', `x';drop`, claim.fingerprint]);
    expect(() => claimKeyStatements({ ...owner, orgId: `x' or true --` }, claim)).toThrow();
    expect(() => claimKeyStatements(owner, { ...claim, method: 'PUT' as 'POST' })).toThrow();
    expect(() => recordAnswerStatement(owner, claim, { status: 2000, body: null })).toThrow();
    expect(recordAnswerStatement(owner, claim, { status: 204, body: null }).values.slice(-3)).toEqual([204, null, null]);
  });
});
