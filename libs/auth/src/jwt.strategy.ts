import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { passportJwtSecret } from 'jwks-rsa';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { ACCESS_TOKEN_ALGORITHMS, isOrgRole } from '@medgenie/contracts';
import { AUTH_OPTIONS, AuthOptions } from './auth.options';

export interface AuthPrincipal {
  userId: string;
  orgId: string;
  regionId: string;
  role: string;
  /** The session the token belongs to (`sid`): the control plane ends sessions, regions refuse their tokens. */
  sessionId: string;
  /** When the token expires (ms since the epoch). */
  expiresAtMs: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A token that verified but does not belong here, or is malformed inside. */
export class TokenRejectedError extends Error {}

/**
 * Verifies access tokens against the control plane's JWKS: asymmetric algorithms only, with
 * iss, aud and exp checked by jsonwebtoken, and the region checked here.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(@Inject(AUTH_OPTIONS) private readonly options: AuthOptions) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider: passportJwtSecret({
        jwksUri: options.jwksUrl,
        cache: true,
        cacheMaxEntries: 20,
        cacheMaxAge: options.jwksCacheMs ?? 10 * 60_000,
        rateLimit: true,
        jwksRequestsPerMinute: 10,
        timeout: 2_000,
      }),
      algorithms: [...ACCESS_TOKEN_ALGORITHMS],
      issuer: options.issuer,
      audience: options.audience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: 5, maxAge: '1d' },
    });
  }

  validate(payload: Record<string, unknown>): AuthPrincipal {
    const { sub, org, region, role, exp, sid } = payload;
    if (region !== this.options.regionId) throw new TokenRejectedError('token is for another region');
    if (typeof sub !== 'string' || !UUID.test(sub)) throw new TokenRejectedError('token subject is not a user id');
    if (typeof org !== 'string' || !UUID.test(org)) throw new TokenRejectedError('token organization is not an id');
    if (!isOrgRole(role)) throw new TokenRejectedError('token role is not an organization role');
    if (typeof exp !== 'number') throw new TokenRejectedError('token has no expiry');
    if (typeof sid !== 'string' || !UUID.test(sid)) throw new TokenRejectedError('token has no session');
    return { userId: sub.toLowerCase(), orgId: org.toLowerCase(), regionId: region, role, sessionId: sid.toLowerCase(), expiresAtMs: exp * 1000 };
  }
}
