/** Roles inside an organization. Platform admins live only in the control plane. */
export const ORG_ROLES = ['org_admin', 'doctor', 'staff'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

export function isOrgRole(value: unknown): value is OrgRole {
  return typeof value === 'string' && (ORG_ROLES as readonly string[]).includes(value);
}
