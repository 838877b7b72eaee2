import type { ClientFeaturesResponse } from 'unleash-client';

/** Seed 000's flags: every one is in `GET /v1/features`, whatever the control plane serves. */
export const SEED_FLAGS = ['hindi_language', 'french_language', 'whatsapp_integration', 'upi_payments', 'fax_integration'] as const;
export type SeedFlag = (typeof SEED_FLAGS)[number];

/** Which language each flag allows an organization to choose; `en` needs none. */
export const LANGUAGE_FLAGS: Readonly<Record<string, SeedFlag>> = { hi: 'hindi_language', fr: 'french_language' };

const inRegions = (...regions: string[]) => [
  {
    name: 'default',
    parameters: {},
    constraints: [{ contextName: 'regionId', operator: 'IN', values: regions, caseInsensitive: false, inverted: false }],
  },
];

/**
 * Seed 000's defaults in the Unleash client format, as the control plane serves them before anyone
 * changes them (its migration `1764710000000-feature-flags`): what a region evaluates until it has
 * fetched definitions once, when it has no backup of them either.
 */
export const DEFAULT_FLAG_DEFINITIONS = {
  version: 2,
  features: [
    { name: 'hindi_language', strategies: inRegions('in') },
    { name: 'french_language', strategies: inRegions('ca') },
    { name: 'whatsapp_integration', strategies: inRegions('in', 'br', 'ae') },
    { name: 'upi_payments', strategies: inRegions('in') },
    { name: 'fax_integration', strategies: inRegions('ca', 'us') },
  ].map((flag) => ({ ...flag, type: 'release', enabled: true, stale: false, impressionData: false, variants: [] })),
  // The wire format, as JSON: the SDK's Operator enum that types `operator` is not exported.
} as unknown as ClientFeaturesResponse;
