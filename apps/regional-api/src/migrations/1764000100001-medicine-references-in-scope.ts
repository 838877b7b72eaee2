import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A line that names a medicine (a short key's item) must name one its organization can see: a
 * global one or its own. The foreign key cannot say so (it is on `medicines (id)` alone, since
 * global rows have no organization), and foreign-key checks ignore row-level security, so
 * without this trigger an insert with another org's medicine id would pass the database. The
 * API checks first and answers 404; this holds even when the code above is wrong.
 *
 * The function is generic (NEW.organization_id, NEW.medicine_id) so any table whose rows name
 * a medicine can attach it.
 */
export class MedicineReferencesInScope1764000100001 implements MigrationInterface {
  name = 'MedicineReferencesInScope1764000100001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION mg_medicine_in_scope() RETURNS trigger LANGUAGE plpgsql AS $$
      begin
        if not exists (select 1 from medicines m
                        where m.id = new.medicine_id
                          and (m.organization_id is null or m.organization_id = new.organization_id)) then
          raise exception 'medicine % is not visible to organization %', new.medicine_id, new.organization_id
            using errcode = 'foreign_key_violation', constraint = tg_table_name || '_medicine_in_scope';
        end if;
        return new;
      end $$`);
    await q.query(`CREATE TRIGGER short_key_items_medicine_in_scope BEFORE INSERT OR UPDATE OF organization_id, medicine_id
      ON short_key_items FOR EACH ROW EXECUTE FUNCTION mg_medicine_in_scope()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER IF EXISTS short_key_items_medicine_in_scope ON short_key_items');
    await q.query('DROP FUNCTION IF EXISTS mg_medicine_in_scope()');
  }
}
