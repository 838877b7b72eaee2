import { createHash } from 'node:crypto';

/**
 * Access tokens this process has verified, remembered until they expire. Verifying an ES256
 * signature (and rebuilding the public key for it) is the largest part of authenticating a
 * request, and a client sends the same token on every request until it refreshes. Entries are
 * keyed by the token's SHA-256, so the tokens themselves are not kept; the map is bounded and
 * the oldest entry goes first. What a token grants is still checked on every request (the
 * membership, its role and the organization's status are read in the request's transaction).
 */
export class VerifiedTokens<T> {
  private readonly entries = new Map<string, { value: T; expiresAtMs: number }>();

  constructor(private readonly maxEntries = 10_000) {}

  static keyOf(token: string): string {
    return createHash('sha256').update(token).digest('base64');
  }

  get(token: string, now = Date.now()): T | undefined {
    const key = VerifiedTokens.keyOf(token);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Remembers a verified token until `expiresAtMs` (its `exp`); an already expired one is not kept. */
  set(token: string, value: T, expiresAtMs: number, now = Date.now()): void {
    if (!(expiresAtMs > now)) return;
    const key = VerifiedTokens.keyOf(token);
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { value, expiresAtMs });
  }

  get size(): number {
    return this.entries.size;
  }
}
