import type { Statement } from '@medgenie/database';

/**
 * The pin of every authenticated request: sets the org and user, reads the caller's active
 * membership under row-level security and pins the clinics it grants (`mg_begin_request`,
 * migration 1764000400000), in the round trip that opens the transaction (`OrgScope.run` with
 * `clinicIds: 'membership'`).
 */
export function membershipPin(orgId: string, userId: string): Statement {
  return { text: 'select membership_id, member_role, org_status, clinic_ids from mg_begin_request($1, $2)', values: [orgId, userId] };
}
