import { createHash } from 'node:crypto';
import type { ClientFeaturesResponse } from 'unleash-client';
import { toUnleashFeatures } from '@medgenie/contracts';
import type { FlagStrategy } from './flags.types';

export { toUnleashFeatures } from '@medgenie/contracts';
export type { UnleashConstraint, UnleashFeature, UnleashFeatures, UnleashStrategy } from '@medgenie/contracts';

/** Flag definitions as the SDK reads them, for the control plane's own evaluations (`evaluateDefinitions`, `evaluateMany`). */
export function clientFeatures(flags: { name: string; enabled: boolean; strategies: FlagStrategy[] }[]): ClientFeaturesResponse {
  return toUnleashFeatures(flags.map((f) => ({ name: f.name, enabled: f.enabled, strategies: f.strategies }))) as unknown as ClientFeaturesResponse;
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
