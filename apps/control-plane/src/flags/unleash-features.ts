import { createHash } from 'node:crypto';
import type { FlagStrategy } from './flags.types';

/** A constraint as the Unleash client API carries it (and `unleash-client` evaluates it). */
export interface UnleashConstraint {
  contextName: string;
  operator: string;
  values: string[];
  caseInsensitive: boolean;
  inverted: boolean;
}

export interface UnleashStrategy {
  name: 'default';
  parameters: Record<string, string>;
  constraints: UnleashConstraint[];
}

export interface UnleashFeature {
  name: string;
  type: 'release';
  enabled: boolean;
  stale: false;
  impressionData: false;
  strategies: UnleashStrategy[];
  variants: [];
}

/** `GET /api/client/features`, format version 2 (what `unleash-client` parses). */
export interface UnleashFeatures {
  version: 2;
  features: UnleashFeature[];
}

/**
 * Our flags in the Unleash client format. Each strategy is Unleash's `default` (on for whoever
 * passes its constraints); the SDK ORs strategies and ANDs constraints, as our definitions mean.
 * A flag without strategies gets one unconstrained `default`, as an Unleash server would answer
 * (on for everyone while enabled). The context fields are custom ones, which the SDK reads from
 * `context.properties`.
 */
export function toUnleashFeatures(flags: { name: string; enabled: boolean; strategies: FlagStrategy[] }[]): UnleashFeatures {
  return {
    version: 2,
    features: flags.map((flag) => ({
      name: flag.name,
      type: 'release',
      enabled: flag.enabled,
      stale: false,
      impressionData: false,
      strategies: (flag.strategies.length > 0 ? flag.strategies : [{ constraints: [] }]).map((s) => ({
        name: 'default',
        parameters: {},
        constraints: s.constraints.map((c) => ({ contextName: c.contextName, operator: c.operator, values: [...c.values], caseInsensitive: false, inverted: false })),
      })),
      variants: [],
    })),
  };
}

/** A strong validator of the exact bytes served. */
export function strongEtag(body: string): string {
  return `"${createHash('sha256').update(body).digest('base64url')}"`;
}

/**
 * Whether an If-None-Match header matches `etag` (RFC 9110 §13.1.2: `*`, or a list compared
 * weakly, so a `W/` prefix a proxy added still matches).
 */
export function ifNoneMatchHits(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value.trim() === '*') return true;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return value.split(',').some((tag) => opaque(tag) === opaque(etag));
}
