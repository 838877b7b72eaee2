import type { Flag } from '../api/types';
import { flagReaches } from './flag-reach';

const org = { id: 'o1', regionId: 'in', plan: 'basic' as const };
const flag = (enabled: boolean, strategies: Flag['strategies']): Flag => ({ name: 'f', description: '', enabled, strategies, createdAt: '', updatedAt: '' });

describe('whether a flag reaches an organization', () => {
  it('is off while disabled, on for everyone without strategies', () => {
    expect(flagReaches(flag(false, []), org)).toBe(false);
    expect(flagReaches(flag(true, []), org)).toBe(true);
  });

  it('holds a strategy when all its constraints do, and the flag when any strategy does', () => {
    expect(flagReaches(flag(true, [{ constraints: [{ contextName: 'regionId', operator: 'IN', values: ['in'] }] }]), org)).toBe(true);
    expect(flagReaches(flag(true, [{ constraints: [{ contextName: 'regionId', operator: 'IN', values: ['ca'] }] }]), org)).toBe(false);
    expect(
      flagReaches(
        flag(true, [
          { constraints: [{ contextName: 'regionId', operator: 'IN', values: ['in'] }, { contextName: 'plan', operator: 'NOT_IN', values: ['basic'] }] },
          { constraints: [{ contextName: 'orgId', operator: 'IN', values: ['o1'] }] },
        ]),
        org,
      ),
    ).toBe(true);
    expect(flagReaches(flag(true, [{ constraints: [{ contextName: 'orgId', operator: 'NOT_IN', values: ['o1'] }] }]), org)).toBe(false);
  });

  it('depends on the clinic when a clinic constraint is all that is left', () => {
    expect(flagReaches(flag(true, [{ constraints: [{ contextName: 'clinicId', operator: 'IN', values: ['c1'] }] }]), org)).toBe('depends');
    expect(flagReaches(flag(true, [{ constraints: [{ contextName: 'regionId', operator: 'IN', values: ['ca'] }, { contextName: 'clinicId', operator: 'IN', values: ['c1'] }] }]), org)).toBe(false);
  });
});
