import type { ClientFeaturesResponse } from 'unleash-client';
import { SEED_FLAG_DEFINITIONS, toUnleashFeatures } from '@medgenie/contracts';
import { evaluateDefinitions, unleashContext } from './flag-client';

const seed = toUnleashFeatures(SEED_FLAG_DEFINITIONS) as unknown as ClientFeaturesResponse;
const ORG = '00000000-0000-4000-8000-000000000001';

describe('evaluateDefinitions (definitions at hand, the same SDK evaluation)', () => {
  it("evaluates seed 000's region targeting, and answers off for a name it does not know", async () => {
    expect(await evaluateDefinitions(seed, ['upi_payments', 'fax_integration', 'no_such_flag'], { regionId: 'in', orgId: ORG, plan: 'basic' })).toEqual({
      upi_payments: true,
      fax_integration: false,
      no_such_flag: false,
    });
    expect(await evaluateDefinitions(seed, ['upi_payments', 'fax_integration'], { regionId: 'ca', orgId: ORG })).toEqual({ upi_payments: false, fax_integration: true });
  });

  it('applies IN and NOT_IN on orgId and plan, ANDed within a strategy', async () => {
    const defs = toUnleashFeatures([
      {
        name: 'upi_payments',
        enabled: true,
        strategies: [{ constraints: [{ contextName: 'regionId', operator: 'IN', values: ['in'] }, { contextName: 'orgId', operator: 'NOT_IN', values: [ORG] }] }],
      },
      { name: 'premium_only', enabled: true, strategies: [{ constraints: [{ contextName: 'plan', operator: 'IN', values: ['premium'] }] }] },
    ]) as unknown as ClientFeaturesResponse;
    const other = '00000000-0000-4000-8000-000000000002';
    expect(await evaluateDefinitions(defs, ['upi_payments', 'premium_only'], { regionId: 'in', orgId: ORG, plan: 'premium' })).toEqual({ upi_payments: false, premium_only: true });
    expect(await evaluateDefinitions(defs, ['upi_payments', 'premium_only'], { regionId: 'in', orgId: other, plan: 'basic' })).toEqual({ upi_payments: true, premium_only: false });
    // No plan known: a constraint on plan does not match.
    expect((await evaluateDefinitions(defs, ['premium_only'], { regionId: 'in', orgId: other })).premium_only).toBe(false);
  });

  it('builds the context the constraints read', () => {
    expect(unleashContext({ userId: 'u', regionId: 'in', orgId: ORG, plan: 'trial', clinicId: 'c' })).toEqual({ userId: 'u', properties: { regionId: 'in', orgId: ORG, plan: 'trial', clinicId: 'c' } });
    expect(unleashContext({ regionId: 'in', orgId: ORG })).toEqual({ properties: { regionId: 'in', orgId: ORG } });
  });
});
