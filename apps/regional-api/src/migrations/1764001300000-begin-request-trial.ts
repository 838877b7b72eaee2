import { MigrationInterface, QueryRunner } from 'typeorm';

const BODY = (extra: string) => `
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
                   end, true)${extra}
            from public.memberships m
            join public.organizations o on o.id = m.organization_id
           where m.organization_id = p_org_id and m.user_id = p_user_id and m.is_active;
      end`;

/**
 * The request's first statement also answers when the organization's trial ends: it reads the
 * organization's row already (its status), so the trial check on every write needs no statement
 * of its own (it was one more round trip on every write, and a whole transaction on an upload).
 */
export class BeginRequestTrial1764001300000 implements MigrationInterface {
  name = 'BeginRequestTrial1764001300000';

  async up(q: QueryRunner): Promise<void> {
    const create = `
      CREATE FUNCTION mg_begin_request(p_org_id uuid, p_user_id uuid)
      RETURNS TABLE (membership_id uuid, member_role varchar, org_status varchar, clinic_ids text, trial_ends_at timestamptz)
      LANGUAGE plpgsql SECURITY INVOKER AS $$${BODY(',\n                 o.trial_ends_at')}$$`;
    await q.query('DROP FUNCTION mg_begin_request(uuid, uuid)');
    await q.query(create);
  }

  async down(q: QueryRunner): Promise<void> {
    const create = `
      CREATE FUNCTION mg_begin_request(p_org_id uuid, p_user_id uuid)
      RETURNS TABLE (membership_id uuid, member_role varchar, org_status varchar, clinic_ids text)
      LANGUAGE plpgsql SECURITY INVOKER AS $$${BODY('')}$$`;
    await q.query('DROP FUNCTION mg_begin_request(uuid, uuid)');
    await q.query(create);
  }
}
