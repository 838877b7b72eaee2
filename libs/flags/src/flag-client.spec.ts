import type { ClientFeaturesResponse } from 'unleash-client';
import { SEED_FLAG_DEFINITIONS, toUnleashFeatures } from '@medgenie/contracts';
import { evaluateDefinitions, FlagClient, unleashContext } from './flag-client';

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

describe('FlagClient', () => {
  const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined };
  const started = async (defaults: ClientFeaturesResponse) => {
    const client = new FlagClient({ appName: 'spec', refreshIntervalMs: 1_000, metricsIntervalMs: 0, backupDir: '/nonexistent', defaults, log: quiet });
    await client.start();
    return client;
  };

  it('answers from its definitions, the same again for the same context (remembered), per org', async () => {
    const defs = toUnleashFeatures([{ name: 'upi_payments', enabled: true, strategies: [{ constraints: [{ contextName: 'orgId', operator: 'NOT_IN', values: [ORG] }] }] }]) as unknown as ClientFeaturesResponse;
    const client = await started(defs);
    try {
      const other = '00000000-0000-4000-8000-000000000009';
      const sdk = (client as unknown as { unleash: { isEnabled: (...args: unknown[]) => boolean; count: (name: string, enabled: boolean) => void } }).unleash;
      const evaluated = jest.spyOn(sdk, 'isEnabled');
      const counted = jest.spyOn(sdk, 'count');
      for (let i = 0; i < 3; i += 1) {
        expect(client.isEnabled('upi_payments', { regionId: 'in', orgId: ORG })).toBe(false);
        expect(client.isEnabled('upi_payments', { regionId: 'in', orgId: other })).toBe(true);
      }
      // Walked once per context; every answer still counted for the metrics (the SDK counts its own walks).
      expect(evaluated).toHaveBeenCalledTimes(2);
      expect(counted.mock.calls.filter(([name]) => name === 'upi_payments')).toHaveLength(6);
    } finally {
      await client.stop();
    }
  });

  it('does not remember answers of a definition that is not a function of the context (a random rollout)', async () => {
    const defs = {
      version: 2,
      features: [{ name: 'coin', type: 'release', enabled: true, stale: false, impressionData: false, variants: [], strategies: [{ name: 'flexibleRollout', parameters: { rollout: '50', stickiness: 'random', groupId: 'coin' }, constraints: [] }] }],
    } as unknown as ClientFeaturesResponse;
    const client = await started(defs);
    try {
      const answers = new Set(Array.from({ length: 200 }, () => client.isEnabled('coin', { regionId: 'in', orgId: ORG, userId: 'same-user' })));
      expect(answers).toEqual(new Set([true, false]));
    } finally {
      await client.stop();
    }
  });
});
