import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import type { GatewayConfig } from './config';

export interface TokenClaims {
  org?: string;
  region?: string;
  sub?: string;
  role?: string;
}

export type TokenCheck = { ok: true; claims: TokenClaims; verified: boolean } | { ok: false };

/**
 * Verifies bearer tokens against the control plane's JWKS (keys cached without expiry: a new kid
 * triggers a refetch). If the keys cannot be fetched at all, the claims are read unverified for
 * routing only: the region verifies every token itself.
 */
export class TokenVerifier {
  private readonly jwks;

  constructor(private readonly config: GatewayConfig) {
    this.jwks = createRemoteJWKSet(new URL(`${config.controlPlane.url}/.well-known/jwks.json`), {
      timeoutDuration: config.controlPlane.timeoutMs,
      cooldownDuration: 10_000,
      cacheMaxAge: Infinity,
    });
  }

  async check(token: string): Promise<TokenCheck> {
    try {
      const { payload } = await jwtVerify(token, this.jwks, {
        algorithms: ['ES256', 'RS256'],
        issuer: this.config.tokens.issuer,
        audience: this.config.tokens.audience,
      });
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
