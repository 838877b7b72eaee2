import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import type { GatewayConfig } from './config';
import type { EndedSessions } from './ended-sessions';

export interface TokenClaims {
  org?: string;
  region?: string;
  sub?: string;
  role?: string;
  sid?: string;
}

/** `ended`: a valid token of a session the control plane ended (logout, password change, deactivation). */
export type TokenCheck = { ok: true; claims: TokenClaims; verified: boolean } | { ok: false; ended?: boolean };

/**
 * Verifies bearer tokens against the control plane's JWKS (keys cached without expiry: a new kid
 * triggers a refetch). If the keys cannot be fetched at all, the claims are read unverified for
 * routing only: the region verifies every token itself.
 */
export class TokenVerifier {
  private readonly jwks;
  /**
   * Tokens already verified, until they expire: an ES256 verification costs far more than the
   * rest of a proxied request, and a client sends the same token many times. Bounded: the
   * oldest entry goes first.
   */
  private readonly verified = new Map<string, { claims: TokenClaims; expiresAt: number }>();
  private static readonly MAX_CACHED = 10_000;

  constructor(
    private readonly config: GatewayConfig,
    private readonly endedSessions?: EndedSessions,
  ) {
    this.jwks = createRemoteJWKSet(new URL(`${config.controlPlane.url}/.well-known/jwks.json`), {
      timeoutDuration: config.controlPlane.timeoutMs,
      cooldownDuration: 10_000,
      cacheMaxAge: Infinity,
    });
  }

  async check(token: string): Promise<TokenCheck> {
    const checked = await this.verify(token);
    if (checked.ok && typeof checked.claims.sid === 'string' && this.endedSessions?.has(checked.claims.sid)) return { ok: false, ended: true };
    return checked;
  }

  private async verify(token: string): Promise<TokenCheck> {
    const cached = this.verified.get(token);
    if (cached) {
      if (cached.expiresAt > Date.now()) return { ok: true, claims: cached.claims, verified: true };
      this.verified.delete(token);
    }
    try {
      const { payload } = await jwtVerify(token, this.jwks, {
        algorithms: ['ES256', 'RS256'],
        issuer: this.config.tokens.issuer,
        audience: this.config.tokens.audience,
      });
      if (typeof payload.exp === 'number') {
        if (this.verified.size >= TokenVerifier.MAX_CACHED) this.verified.delete(this.verified.keys().next().value as string);
        this.verified.set(token, { claims: payload as TokenClaims, expiresAt: payload.exp * 1000 });
      }
      return { ok: true, claims: payload as TokenClaims, verified: true };
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ERR_JWKS_TIMEOUT' || code === 'ERR_JOSE_GENERIC' || (err as Error).name === 'TypeError') {
        try {
          return { ok: true, claims: decodeJwt(token) as TokenClaims, verified: false };
        } catch {
          return { ok: false };
        }
      }
      return { ok: false };
    }
  }
}
