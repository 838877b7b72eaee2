import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The first statement of every authenticated request, in one round trip instead of two: pin the
 * tenant (org and user, transaction-local), then load the caller's active membership under
 * row-level security and pin the clinics it grants (`*` for org admins). SECURITY INVOKER: it
 * runs as the app role, so the membership read is subject to RLS like any other.
 */
export class BeginRequest1764000400000 implements MigrationInterface {
  name = 'BeginRequest1764000400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION mg_begin_request(p_org_id uuid, p_user_id uuid)
      RETURNS TABLE (membership_id uuid, member_role varchar, org_status varchar, clinic_ids text)
      LANGUAGE plpgsql SECURITY INVOKER AS $$
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
                   end, true)
            from public.memberships m
            join public.organizations o on o.id = m.organization_id
           where m.organization_id = p_org_id and m.user_id = p_user_id and m.is_active;
      end $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION IF EXISTS mg_begin_request(uuid, uuid)');
  }
}
