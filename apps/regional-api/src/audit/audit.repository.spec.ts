import { AUDIT_COLUMNS, auditValues, AuditValuesSql } from './audit.repository';

describe('the audit writer definition', () => {
  it('lists one value per audit column, in the columns’ order', () => {
    const columns = AUDIT_COLUMNS.split(',').map((c) => c.trim());
    // Each value named for its column: organization_id -> organizationId, and so on.
    const named = Object.fromEntries(
      columns.map((column) => [column.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()), column]),
    ) as AuditValuesSql;
    expect(Object.keys(named)).toHaveLength(9);
    expect(auditValues(named)).toBe(columns.join(', '));
  });
});
