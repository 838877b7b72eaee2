/**
 * SQL for row-level security, shared by every migration so each tenant table gets the very
 * same policies. Settings are read through (select …) so Postgres evaluates them once per
 * statement; a missing setting is NULL and matches nothing (fail closed).
 */
export const CURRENT_ORG = '(select mg_current_org_id())';
export const CLINIC_ALLOWED = (column: string) =>
  `((select mg_all_clinics()) or ${column} = any ((select mg_current_clinic_ids())::uuid[]))`;

/** FORCE makes the policies hold for the table owner too. */
export function forceRls(table: string): string[] {
  return [`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`, `ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`];
}

/** An organization-scoped table: every command sees and writes only the current org's rows. */
export function orgPolicy(table: string, column = 'organization_id'): string[] {
  return [
    ...forceRls(table),
    `CREATE POLICY ${table}_org_isolation ON ${table} FOR ALL
       USING (${column} = ${CURRENT_ORG})
       WITH CHECK (${column} = ${CURRENT_ORG})`,
  ];
}

/**
 * A clinic-scoped table: the org must match, and the clinic must be one the caller may
 * access (app.clinic_ids is '*' for every clinic, or a uuid[] literal).
 */
export function clinicPolicy(table: string, clinicColumn = 'clinic_id'): string[] {
  return [
    ...forceRls(table),
    `CREATE POLICY ${table}_clinic_isolation ON ${table} FOR ALL
       USING (organization_id = ${CURRENT_ORG} and ${CLINIC_ALLOWED(clinicColumn)})
       WITH CHECK (organization_id = ${CURRENT_ORG} and ${CLINIC_ALLOWED(clinicColumn)})`,
  ];
}
