import { MigrationInterface, QueryRunner } from 'typeorm';
import { forceRls } from './rls';

const APP = 'medgenie_app';

const BODY = (sessionCheck: string) => `
      begin
        perform set_config('app.org_id', p_org_id::text, true),
                set_config('app.user_id', p_user_id::text, true),
                set_config('app.clinic_ids', '{}', true);
        return query
          select m.id, m.role, o.status,
                 set_config('app.clinic_ids',
                   case when m.role = 'org_admin' then '*'
                        else coalesce((select '{' || string_agg(mc.clinic_id::text, ',') || '}'
                                         from public.membership_clinics mc
                                        where mc.organization_id = m.organization_id and mc.membership_id = m.id), '{}')
                   end, true),
                 o.trial_ends_at,
                 o.payment_overdue_since${sessionCheck}
            from public.memberships m
            join public.organizations o on o.id = m.organization_id
           where m.organization_id = p_org_id and m.user_id = p_user_id and m.is_active;
      end`;

const RETURNS = (extra: string) =>
  `RETURNS TABLE (membership_id uuid, member_role varchar, org_status varchar, clinic_ids text, trial_ends_at timestamptz, payment_overdue_since timestamptz${extra})`;

/**
 * Sessions that ended (issue 14): logout, a password change or reset, a member deactivated or
 * removed, a refresh token reused. The control plane pushes each ended session's id (the `sid`
 * claim of its access tokens) here, and the request's first statement refuses its tokens at once
 * instead of when they expire: `mg_begin_request` takes the session id and answers whether it has
 * ended, beside the membership, still in the one round trip that opens the transaction.
 *
 * A row holds a random session id and when its last access token expires (then it is pruned):
 * nothing of an organization, so the table is not a tenant table. Row-level security lets every
 * transaction read it (the check of every request) and only work without a user (the control
 * plane's calls, `app.user_id` empty) change it: no member's request can bring a session back.
 */
export class RevokedSessions1764001700000 implements MigrationInterface {
  name = 'RevokedSessions1764001700000';

  async up(q: QueryRunner): Promise<void> {
    const serviceOnly = `coalesce(current_setting('app.user_id', true), '') = ''`;
    const statements = [
      `CREATE TABLE revoked_sessions (
         session_id uuid PRIMARY KEY,
         expires_at timestamptz NOT NULL
       )`,
      `CREATE INDEX revoked_sessions_expires_at ON revoked_sessions (expires_at)`,
      ...forceRls('revoked_sessions'),
      `CREATE POLICY revoked_sessions_read ON revoked_sessions FOR SELECT USING (true)`,
      `CREATE POLICY revoked_sessions_insert ON revoked_sessions FOR INSERT WITH CHECK (${serviceOnly})`,
      `CREATE POLICY revoked_sessions_update ON revoked_sessions FOR UPDATE USING (${serviceOnly}) WITH CHECK (${serviceOnly})`,
      `CREATE POLICY revoked_sessions_delete ON revoked_sessions FOR DELETE USING (${serviceOnly})`,
      `GRANT SELECT, INSERT, UPDATE, DELETE ON revoked_sessions TO ${APP}`,
      'DROP FUNCTION mg_begin_request(uuid, uuid)',
      `CREATE FUNCTION mg_begin_request(p_org_id uuid, p_user_id uuid, p_session_id uuid)
      ${RETURNS(', session_revoked boolean')}
      LANGUAGE plpgsql SECURITY INVOKER AS $$${BODY(
        ',\n                 exists (select 1 from public.revoked_sessions r where r.session_id = p_session_id)',
      )}$$`,
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    const statements = [
      'DROP FUNCTION mg_begin_request(uuid, uuid, uuid)',
      `CREATE FUNCTION mg_begin_request(p_org_id uuid, p_user_id uuid)
      ${RETURNS('')}
      LANGUAGE plpgsql SECURITY INVOKER AS $$${BODY('')}$$`,
      'DROP TABLE revoked_sessions',
    ];
    for (const sql of statements) await q.query(sql);
  }
}
