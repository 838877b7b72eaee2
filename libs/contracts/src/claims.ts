import { OrgRole } from './roles';

/** Claims of a user access token issued by the control plane (DESIGN.md §5). */
export interface AccessTokenClaims {
  sub: string;
  org: string;
  region: string;
  role: OrgRole;
  /** The session (the refresh token family): ending it refuses its access tokens everywhere at once. */
  sid: string;
  iss: string;
  aud: string | string[];
  exp: number;
  iat?: number;
}

/** Algorithms a region accepts for access tokens: asymmetric only. */
export const ACCESS_TOKEN_ALGORITHMS = ['ES256', 'RS256'] as const;
