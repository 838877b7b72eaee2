import { prepared, Statement } from '@medgenie/database';

const PIN = prepared(
  'select membership_id, member_role, org_status, clinic_ids, trial_ends_at, payment_overdue_since, session_revoked from mg_begin_request($1, $2, $3)',
);

/**
 * The pin of every authenticated request: sets the org and user, reads the caller's active
 * membership under row-level security and pins the clinics it grants, and says when the org's
 * trial ends, since when its subscription is unpaid and whether the token's session has ended
 * (`mg_begin_request`, migrations 1764000400000, 1764001300000, 1764001600000 and 1764001700000),
 * in the round trip that opens the transaction (`OrgScope.run` with `clinicIds: 'membership'`).
 * Named, so each connection parses it once.
 */
export function membershipPin(orgId: string, userId: string, sessionId: string | null): Statement {
  return { ...PIN, values: [orgId, userId, sessionId] };
}
