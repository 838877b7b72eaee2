/**
 * Feature flags between the control plane and the places that evaluate them (regions, gateway):
 * the control plane serves them in the Unleash client API's format, which the unmodified
 * `unleash-client` SDK polls and evaluates.
 */

/** The context fields a flag's constraints name (the SDK reads them from `context.properties`). */
export type FlagContextName = 'regionId' | 'orgId' | 'clinicId' | 'plan';
export type FlagOperatorName = 'IN' | 'NOT_IN';

/** A flag as MedGenie defines it: on, while enabled, for whoever passes all constraints of any one strategy. */
export interface FlagDefinition {
  name: string;
  enabled: boolean;
  /** None: on for everyone while enabled. */
  strategies: { constraints: { contextName: FlagContextName; operator: FlagOperatorName; values: readonly string[] }[] }[];
}

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
 * Flags in the Unleash client format. Each strategy is Unleash's `default` (on for whoever passes
 * its constraints); the SDK ORs strategies and ANDs constraints, as our definitions mean. A flag
 * without strategies gets one unconstrained `default`, as an Unleash server would answer (on for
 * everyone while enabled).
 */
export function toUnleashFeatures(flags: readonly FlagDefinition[]): UnleashFeatures {
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

const inRegions = (...values: string[]): FlagDefinition['strategies'] => [{ constraints: [{ contextName: 'regionId', operator: 'IN', values }] }];

/** Seed 000's flags and their default targeting (the control plane's migration seeds the same). */
export const SEED_FLAG_DEFINITIONS: readonly FlagDefinition[] = [
  { name: 'hindi_language', enabled: true, strategies: inRegions('in') },
  { name: 'french_language', enabled: true, strategies: inRegions('ca') },
  { name: 'whatsapp_integration', enabled: true, strategies: inRegions('in', 'br', 'ae') },
  { name: 'upi_payments', enabled: true, strategies: inRegions('in') },
  { name: 'fax_integration', enabled: true, strategies: inRegions('ca', 'us') },
];

/**
 * The gateway's maintenance switch (not a seed 000 flag): where it is on (a region, an org, a
 * plan, as its constraints say), the gateway refuses writes with 503 MAINTENANCE and Retry-After
 * and lets reads through, marked `X-MedGenie-Read-Only: true` so an org's app can say why saving
 * is off. Off until a platform admin turns it on.
 */
export const READ_ONLY_MAINTENANCE_FLAG = 'read_only_maintenance';

/** The platform's own flags, beside seed 000's: the control plane's migration seeds the same. */
export const PLATFORM_FLAG_DEFINITIONS: readonly FlagDefinition[] = [{ name: READ_ONLY_MAINTENANCE_FLAG, enabled: false, strategies: [] }];
