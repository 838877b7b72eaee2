export interface AuthOptions {
  /** Where the control plane publishes its signing keys. */
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** Tokens must name this region. */
  regionId: string;
  /** Shared secret the control plane presents on internal routes. */
  serviceToken: string;
  /** How long fetched signing keys are trusted, so a control-plane outage does not stop verification. */
  jwksCacheMs?: number;
}

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');
