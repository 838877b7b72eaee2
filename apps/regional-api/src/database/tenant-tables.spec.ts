import { CLINIC_TABLES, foreignKeyOrderProblems, TENANT_TABLES, TENANT_TABLES_DELETE_ORDER, tenantTable } from './tenant-tables';

/** The registry's own consistency; test/schema-security.int-spec.ts holds it to the live schema. */
describe('the registry of tenant tables', () => {
  it('lists each table once, parents before children', () => {
    expect(foreignKeyOrderProblems(TENANT_TABLES)).toEqual([]);
    expect(TENANT_TABLES[0].table).toBe('organizations');
  });

  it('deletes children before parents', () => {
    const reversed = TENANT_TABLES_DELETE_ORDER.map((entry) => ({ table: entry.table, references: entry.references })).reverse();
    expect(foreignKeyOrderProblems(reversed)).toEqual([]);
    expect(TENANT_TABLES_DELETE_ORDER.at(-1)?.table).toBe('organizations');
  });

  it('finds a table by name, and refuses a name that is not one', () => {
    expect(tenantTable('appointments').clinicColumn).toBe('clinic_id');
    expect(() => tenantTable('schema_migrations')).toThrow(/not a tenant table/);
  });

  it('keys every table but the mirror by organization_id, and scopes by clinic only where a clinic column is named', () => {
    for (const entry of TENANT_TABLES) {
      expect({ table: entry.table, org: entry.orgColumn }).toEqual({ table: entry.table, org: entry.table === 'organizations' ? 'id' : 'organization_id' });
      if (entry.clinicRls) expect({ table: entry.table, clinicColumn: entry.clinicColumn }).toEqual({ table: entry.table, clinicColumn: expect.any(String) });
      if (entry.orgColumn === 'organization_id' && !entry.globalRows) expect(entry.primaryKey[0]).toBe('organization_id');
    }
    expect(CLINIC_TABLES.map((entry) => entry.table)).toContain('prescriptions');
    expect(CLINIC_TABLES.every((entry) => entry.clinicColumn)).toBe(true);
  });

  it('reports a table listed before a table it references', () => {
    expect(foreignKeyOrderProblems([{ table: 'b', references: ['a'] }, { table: 'a', references: [] }])).toEqual(['b comes before a, which it references']);
    expect(foreignKeyOrderProblems([{ table: 'b', references: ['a', 'b'] }])).toEqual(['b references a, which is not in the list']);
  });
});
