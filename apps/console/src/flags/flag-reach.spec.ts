import type { Flag } from '../api/types';
import { flagReaches, targetingWith, targetingWithout } from './flag-reach';

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

describe('turning a flag off or on for one organization', () => {
  const inIndia = { contextName: 'regionId' as const, operator: 'IN' as const, values: ['in'] };
  const reach = (f: Flag, id: string) => flagReaches(f, { id, regionId: 'in', plan: 'basic' });

  it('leaves the org out and keeps everyone else', () => {
    const f = flag(true, [{ constraints: [inIndia] }]);
    const off = { ...f, ...targetingWithout(f, org) };
    expect(off.strategies).toEqual([{ constraints: [inIndia, { contextName: 'orgId', operator: 'NOT_IN', values: ['o1'] }] }]);
    expect(reach(off, 'o1')).toBe(false);
    expect(reach(off, 'o2')).toBe(true);
    const back = { ...off, ...targetingWith(off, 'o1', org) };
    expect(back.strategies).toEqual([{ constraints: [inIndia] }]);
    expect(reach(back, 'o1')).toBe(true);
  });

  it('a flag on for everyone: off for one org, then on again for everyone', () => {
    const f = flag(true, []);
    const off = { ...f, ...targetingWithout(f, org) };
    expect(reach(off, 'o1')).toBe(false);
    expect(reach(off, 'o2')).toBe(true);
    const back = { ...off, ...targetingWith(off, 'o1', org) };
    expect(reach(back, 'o1')).toBe(true);
    expect(reach(back, 'o2')).toBe(true);
  });

  it('adds a strategy for an org its rules do not reach, and removes it again', () => {
    const f = flag(true, [{ constraints: [{ contextName: 'regionId', operator: 'IN', values: ['ca'] }] }]);
    const on = { ...f, ...targetingWith(f, 'o1', org) };
    expect(on.strategies).toHaveLength(2);
    expect(reach(on, 'o1')).toBe(true);
    expect(reach(on, 'o2')).toBe(false);
    const off = { ...on, ...targetingWithout(on, org) };
    expect(off.strategies).toEqual(f.strategies);
    expect(reach(off, 'o1')).toBe(false);
  });

  it('disables a flag that reached only this org instead of leaving it with no strategy (everyone)', () => {
    const f = flag(true, [{ constraints: [{ contextName: 'orgId', operator: 'IN', values: ['o1'] }] }]);
    const off = { ...f, ...targetingWithout(f, org) };
    expect(off.enabled).toBe(false);
    expect(reach(off, 'o2')).toBe(false);
  });
});
