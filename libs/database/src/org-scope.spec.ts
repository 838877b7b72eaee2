import { Pool } from 'pg';
import { clinicIdsSetting, OrgScope, SET_TENANT_SQL } from './org-scope';

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

describe('OrgScope pin', () => {
  it('pins org, user and clinics with bound parameters, transaction-local', () => {
    expect(SET_TENANT_SQL.match(/, true\)/g)).toHaveLength(3);
    expect(SET_TENANT_SQL).not.toMatch(/'[0-9a-f-]{36}'/);
  });

  it('refuses an organization id that is not a uuid before it takes a connection', async () => {
    const pool = { connect: jest.fn() };
    const scope = new OrgScope(pool as unknown as Pool);
    await expect(scope.run({ orgId: "x' or 1=1", userId: null, clinicIds: '*' }, async () => 1)).rejects.toThrow('not a pair of UUIDs');
    expect(pool.connect).not.toHaveBeenCalled();
  });
});
