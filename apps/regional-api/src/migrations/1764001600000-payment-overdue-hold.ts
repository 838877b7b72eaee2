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
                   end, true),
                 o.trial_ends_at${extra}
            from public.memberships m
            join public.organizations o on o.id = m.organization_id
           where m.organization_id = p_org_id and m.user_id = p_user_id and m.is_active;
      end`;

const RETURNS = (extra: string) =>
  `RETURNS TABLE (membership_id uuid, member_role varchar, org_status varchar, clinic_ids text, trial_ends_at timestamptz${extra})`;

/**
 * Dunning (issue 13): since when the organization's subscription is unpaid, as the control plane
 * pushes it once the grace period of a failed payment is over; null when nothing is overdue. While
 * it is set the region answers writes with 402 PAYMENT_OVERDUE, as after a trial (reads and export
 * keep working). The request's first statement answers it beside the trial's end, so the check on
 * every write still needs no statement of its own.
 */
export class PaymentOverdueHold1764001600000 implements MigrationInterface {
  name = 'PaymentOverdueHold1764001600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE organizations ADD COLUMN payment_overdue_since timestamptz`);
    const create = `
      CREATE FUNCTION mg_begin_request(p_org_id uuid, p_user_id uuid)
      ${RETURNS(', payment_overdue_since timestamptz')}
      LANGUAGE plpgsql SECURITY INVOKER AS $$${BODY(',\n                 o.payment_overdue_since')}$$`;
    await q.query('DROP FUNCTION mg_begin_request(uuid, uuid)');
    await q.query(create);
  }

  async down(q: QueryRunner): Promise<void> {
    // As 1764001300000 left it.
    const create = `
      CREATE FUNCTION mg_begin_request(p_org_id uuid, p_user_id uuid)
      ${RETURNS('')}
      LANGUAGE plpgsql SECURITY INVOKER AS $$${BODY('')}$$`;
    await q.query('DROP FUNCTION mg_begin_request(uuid, uuid)');
    await q.query(create);
    await q.query(`ALTER TABLE organizations DROP COLUMN IF EXISTS payment_overdue_since`);
  }
}
