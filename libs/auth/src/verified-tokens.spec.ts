import { VerifiedTokens } from './verified-tokens';

describe('VerifiedTokens', () => {
  it('answers a remembered token until it expires, then forgets it', () => {
    const cache = new VerifiedTokens<string>();
    cache.set('token-a', 'alice', 2_000, 1_000);
    expect(cache.get('token-a', 1_999)).toBe('alice');
    expect(cache.get('token-a', 2_000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('does not keep a token that has already expired', () => {
    const cache = new VerifiedTokens<string>();
    cache.set('token-a', 'alice', 1_000, 1_000);
    expect(cache.get('token-a', 999)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('never answers for a token it was not given, even one that differs by a character', () => {
    const cache = new VerifiedTokens<string>();
    cache.set('header.payload.signature', 'alice', 10_000, 0);
    expect(cache.get('header.payload.signaturf', 1)).toBeUndefined();
    expect(cache.get('header.payload.signature', 1)).toBe('alice');
  });

  it('is bounded: the oldest entry goes first', () => {
    const cache = new VerifiedTokens<number>(3);
    for (let i = 0; i < 5; i += 1) cache.set(`token-${i}`, i, 10_000, 0);
    expect(cache.size).toBe(3);
    expect(cache.get('token-0', 1)).toBeUndefined();
    expect(cache.get('token-1', 1)).toBeUndefined();
    expect([2, 3, 4].map((i) => cache.get(`token-${i}`, 1))).toEqual([2, 3, 4]);
  });
});
