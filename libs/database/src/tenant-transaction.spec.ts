import { clinicIdsSetting, setTenant, SET_TENANT_SQL } from './tenant-transaction';

describe('clinicIdsSetting', () => {
  const a = '3f1c1f8e-58a4-4c53-9a55-0d2a3f3e7a10';
  const b = '6b9e4a4c-2f0d-4d8e-8d7c-1a2b3c4d5e6f';

  it('says * for whole-org access and a uuid[] literal otherwise', () => {
    expect(clinicIdsSetting('*')).toBe('*');
    expect(clinicIdsSetting([a, b])).toBe(`{${a},${b}}`);
    expect(clinicIdsSetting([])).toBe('{}');
    expect(clinicIdsSetting(null)).toBe('{}');
  });

  it('refuses anything that is not a uuid, so the literal cannot be smuggled', () => {
    expect(() => clinicIdsSetting([`${a}}`])).toThrow();
    expect(() => clinicIdsSetting(['*'])).toThrow();
    expect(() => clinicIdsSetting([`${a},${b}`])).toThrow();
  });
});

describe('setTenant', () => {
  it('pins org, user and clinics with bound parameters, transaction-local', async () => {
    const calls: unknown[][] = [];
    const manager = { query: async (sql: string, params: unknown[]) => calls.push([sql, params]) };
    const org = '3f1c1f8e-58a4-4c53-9a55-0d2a3f3e7a10';
    await setTenant(manager as never, { orgId: org, userId: null, clinics: '*' });
    expect(calls).toEqual([[SET_TENANT_SQL, [org, '', '*']]]);
    expect(SET_TENANT_SQL.match(/, true\)/g)).toHaveLength(3);
  });

  it('refuses an organization id that is not a uuid', async () => {
    const manager = { query: jest.fn() };
    await expect(setTenant(manager as never, { orgId: "x' or 1=1", userId: null, clinics: null })).rejects.toThrow();
    expect(manager.query).not.toHaveBeenCalled();
  });
});
