import type { ClientFeaturesResponse } from 'unleash-client';
import { SEED_FLAG_DEFINITIONS, toUnleashFeatures } from '@medgenie/contracts';

/** Seed 000's flags: every one is in `GET /v1/features`, whatever the control plane serves. */
export const SEED_FLAGS = ['hindi_language', 'french_language', 'whatsapp_integration', 'upi_payments', 'fax_integration'] as const;
export type SeedFlag = (typeof SEED_FLAGS)[number];

/** Which language each flag allows an organization to choose; `en` needs none. */
export const LANGUAGE_FLAGS: Readonly<Record<string, SeedFlag>> = { hi: 'hindi_language', fr: 'french_language' };

/**
 * Seed 000's defaults in the Unleash client format, as the control plane serves them before anyone
 * changes them (its migration `1764710000000-feature-flags`): what a region evaluates until it has
 * fetched definitions once, when it has no backup of them either.
 */
// The wire format, as JSON: the SDK's Operator enum that types `operator` is not exported.
export const DEFAULT_FLAG_DEFINITIONS = toUnleashFeatures(SEED_FLAG_DEFINITIONS) as unknown as ClientFeaturesResponse;
