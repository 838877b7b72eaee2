import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the prescription tables' foreign keys cannot say, held in the database as well as in the
 * API (which checks first and answers 404/409):
 * - a prescription line names a medicine its organization can see (global or its own), with the
 *   generic mg_medicine_in_scope() of the medicine-references migration;
 * - a prescription written from an appointment is for that appointment's patient (the clinic
 *   already agrees through the composite foreign key).
 */
export class PrescriptionIntegrity1764000300000 implements MigrationInterface {
  name = 'PrescriptionIntegrity1764000300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TRIGGER prescription_items_medicine_in_scope BEFORE INSERT OR UPDATE OF organization_id, medicine_id
      ON prescription_items FOR EACH ROW EXECUTE FUNCTION mg_medicine_in_scope()`);
    await q.query(`CREATE FUNCTION mg_prescription_appointment_agrees() RETURNS trigger LANGUAGE plpgsql AS $$
      begin
        if new.appointment_id is not null and not exists (
             select 1 from appointments a
              where a.organization_id = new.organization_id and a.id = new.appointment_id and a.patient_id = new.patient_id) then
          raise exception 'prescription % is not for the patient of appointment %', new.id, new.appointment_id
            using errcode = 'check_violation', constraint = 'prescriptions_appointment_agrees';
        end if;
        return new;
      end $$`);
    await q.query(`CREATE TRIGGER prescriptions_appointment_agrees BEFORE INSERT OR UPDATE OF appointment_id, patient_id
      ON prescriptions FOR EACH ROW EXECUTE FUNCTION mg_prescription_appointment_agrees()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER IF EXISTS prescriptions_appointment_agrees ON prescriptions');
    await q.query('DROP FUNCTION IF EXISTS mg_prescription_appointment_agrees()');
    await q.query('DROP TRIGGER IF EXISTS prescription_items_medicine_in_scope ON prescription_items');
  }
}
