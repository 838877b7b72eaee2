import { MigrationInterface, QueryRunner } from 'typeorm';
import { clinicPolicy, CURRENT_ORG, forceRls, orgPolicy } from './rls';

const APP = 'medgenie_app';

/**
 * The clinical core (issue 5): doctors and where they practise, medicines (a global catalogue
 * plus each org's own), short keys (prescription templates), appointments and prescriptions.
 *
 * Every tenant table follows schema v1: `organization_id NOT NULL`, primary key
 * `(organization_id, id)`, foreign keys that carry the org, indexes that lead with it, RLS
 * forced. The one exception is `medicines`, whose global rows have no org (see below).
 */
export class ClinicalCore1764000000000 implements MigrationInterface {
  name = 'ClinicalCore1764000000000';

  async up(q: QueryRunner): Promise<void> {
    const run = async (statements: string[]) => {
      for (const sql of statements) await q.query(sql);
    };

    // btree_gist lets an exclusion constraint mix equality on uuids with overlap on ranges.
    // It is a trusted extension, so the database owner may create it.
    await run([`CREATE EXTENSION IF NOT EXISTS btree_gist`]);

    // Doctors: a clinical profile for a membership (seed 001's `offices` JSON becomes the explicit
    // clinic tier: doctor_clinics, one row per clinic the doctor practises at, with hours).
    await run([
      `CREATE TABLE doctors (
         organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
         id uuid NOT NULL DEFAULT gen_random_uuid(),
         membership_id uuid NOT NULL,
         license_number varchar(64),
         specialization varchar(120),
         qualifications text[] NOT NULL DEFAULT '{}',
         consultation_fee numeric(12, 2) CHECK (consultation_fee >= 0),
         bio varchar(2000),
         is_active boolean NOT NULL DEFAULT true,
         created_at timestamptz NOT NULL DEFAULT now(),
         updated_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (organization_id, id),
         CONSTRAINT doctors_membership_unique UNIQUE (organization_id, membership_id),
         FOREIGN KEY (organization_id, membership_id) REFERENCES memberships (organization_id, id) ON DELETE CASCADE
       )`,
      `CREATE UNIQUE INDEX doctors_license_unique ON doctors (organization_id, license_number) WHERE license_number IS NOT NULL`,
      ...orgPolicy('doctors'),
      `CREATE TABLE doctor_clinics (
         organization_id uuid NOT NULL,
         doctor_id uuid NOT NULL,
         clinic_id uuid NOT NULL,
         -- [{ "weekday": 1..7 (ISO, Monday = 1), "start": "09:00", "end": "13:00" }], in the clinic's time zone
         schedule jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(schedule) = 'array'),
         PRIMARY KEY (organization_id, doctor_id, clinic_id),
         FOREIGN KEY (organization_id, doctor_id) REFERENCES doctors (organization_id, id) ON DELETE CASCADE,
         FOREIGN KEY (organization_id, clinic_id) REFERENCES clinics (organization_id, id) ON DELETE CASCADE
       )`,
      `CREATE INDEX doctor_clinics_clinic ON doctor_clinics (organization_id, clinic_id)`,
      ...orgPolicy('doctor_clinics'),
    ]);

    // Medicines: organization_id NULL is the global catalogue, visible to every org and written
    // only by migrations or ops (the app role's policies never let it write a NULL-org row).
    // Search keys are byte-ordered lower-case copies, compared with prefix ranges (leakproof,
    // so usable by an index under RLS; see patients in schema v1).
    await run([
      `CREATE TABLE medicines (
         organization_id uuid REFERENCES organizations (id) ON DELETE CASCADE,
         id uuid NOT NULL DEFAULT gen_random_uuid() PRIMARY KEY,
         name varchar(200) NOT NULL,
         generic_name varchar(200),
         form varchar(30) NOT NULL CHECK (form in ('tablet', 'capsule', 'syrup', 'suspension', 'injection', 'ointment',
           'cream', 'gel', 'drops', 'inhaler', 'spray', 'powder', 'lotion', 'mouthwash', 'solution', 'patch', 'suppository', 'other')),
         strength varchar(60),
         manufacturer varchar(200),
         is_active boolean NOT NULL DEFAULT true,
         created_by uuid,
         created_at timestamptz NOT NULL DEFAULT now(),
         updated_at timestamptz NOT NULL DEFAULT now(),
         name_key varchar(200) COLLATE "C" GENERATED ALWAYS AS (lower(name)) STORED,
         generic_name_key varchar(200) COLLATE "C" GENERATED ALWAYS AS (lower(generic_name)) STORED,
         CONSTRAINT medicines_org_id_unique UNIQUE (organization_id, id)
       )`,
      `CREATE UNIQUE INDEX medicines_identity_unique ON medicines (organization_id, name_key, form, strength) NULLS NOT DISTINCT`,
      `CREATE INDEX medicines_name ON medicines (organization_id, name_key)`,
      `CREATE INDEX medicines_generic_name ON medicines (organization_id, generic_name_key)`,
      ...forceRls('medicines'),
      // Global rows are read inside a tenant context only: without one, nothing (fail closed, as everywhere).
      `CREATE POLICY medicines_read ON medicines FOR SELECT
         USING (organization_id = ${CURRENT_ORG} OR (organization_id IS NULL AND ${CURRENT_ORG} IS NOT NULL))`,
      `CREATE POLICY medicines_insert ON medicines FOR INSERT WITH CHECK (organization_id = ${CURRENT_ORG})`,
      `CREATE POLICY medicines_update ON medicines FOR UPDATE
         USING (organization_id = ${CURRENT_ORG}) WITH CHECK (organization_id = ${CURRENT_ORG})`,
      `CREATE POLICY medicines_delete ON medicines FOR DELETE USING (organization_id = ${CURRENT_ORG})`,
    ]);

    // Short keys: an org's prescription templates, a code that expands to medicine lines.
    await run([
      `CREATE TABLE short_keys (
         organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
         id uuid NOT NULL DEFAULT gen_random_uuid(),
         code varchar(20) NOT NULL,
         name varchar(200) NOT NULL,
         description varchar(1000),
         is_active boolean NOT NULL DEFAULT true,
         created_by uuid,
         created_at timestamptz NOT NULL DEFAULT now(),
         updated_at timestamptz NOT NULL DEFAULT now(),
         code_key varchar(20) COLLATE "C" GENERATED ALWAYS AS (upper(code)) STORED,
         PRIMARY KEY (organization_id, id)
       )`,
      `CREATE UNIQUE INDEX short_keys_code_unique ON short_keys (organization_id, code_key)`,
      ...orgPolicy('short_keys'),
      `CREATE TABLE short_key_items (
         organization_id uuid NOT NULL,
         id uuid NOT NULL DEFAULT gen_random_uuid(),
         short_key_id uuid NOT NULL,
         position smallint NOT NULL CHECK (position >= 0),
         medicine_id uuid NOT NULL REFERENCES medicines (id),
         dosage varchar(100) NOT NULL,
         frequency varchar(100) NOT NULL,
         duration varchar(100) NOT NULL,
         quantity integer CHECK (quantity > 0),
         instructions varchar(500),
         PRIMARY KEY (organization_id, id),
         CONSTRAINT short_key_items_position_unique UNIQUE (organization_id, short_key_id, position),
         FOREIGN KEY (organization_id, short_key_id) REFERENCES short_keys (organization_id, id) ON DELETE CASCADE
       )`,
      ...orgPolicy('short_key_items'),
    ]);

    // Appointments (clinic-scoped). A doctor cannot be in two places at once: an exclusion
    // constraint on the doctor's booked time ranges, so concurrent bookings cannot both commit.
    await run([
      `CREATE TABLE appointments (
         organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
         id uuid NOT NULL DEFAULT gen_random_uuid(),
         clinic_id uuid NOT NULL,
         patient_id uuid NOT NULL,
         doctor_id uuid NOT NULL,
         starts_at timestamptz NOT NULL,
         ends_at timestamptz NOT NULL,
         status varchar(20) NOT NULL DEFAULT 'scheduled'
           CHECK (status in ('scheduled', 'checked_in', 'completed', 'cancelled', 'no_show')),
         reason varchar(500),
         created_by uuid,
         created_at timestamptz NOT NULL DEFAULT now(),
         updated_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (organization_id, id),
         CONSTRAINT appointments_clinic_id_unique UNIQUE (organization_id, clinic_id, id),
         CONSTRAINT appointments_time_order CHECK (ends_at > starts_at),
         CONSTRAINT appointments_max_length CHECK (ends_at - starts_at <= interval '12 hours'),
         FOREIGN KEY (organization_id, clinic_id) REFERENCES clinics (organization_id, id),
         FOREIGN KEY (organization_id, patient_id) REFERENCES patients (organization_id, id),
         FOREIGN KEY (organization_id, doctor_id) REFERENCES doctors (organization_id, id),
         CONSTRAINT appointments_no_double_booking EXCLUDE USING gist (
           organization_id WITH =, doctor_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&
         ) WHERE (status in ('scheduled', 'checked_in', 'completed'))
       )`,
      `CREATE INDEX appointments_clinic_day ON appointments (organization_id, clinic_id, starts_at)`,
      `CREATE INDEX appointments_doctor_day ON appointments (organization_id, doctor_id, starts_at)`,
      `CREATE INDEX appointments_patient ON appointments (organization_id, patient_id, starts_at DESC)`,
      ...clinicPolicy('appointments'),
    ]);

    // Prescriptions (clinic-scoped) and their items. A finalized prescription is immutable; a
    // change is an amendment: a new prescription whose amends_id points at the one it replaces.
    await run([
      `CREATE TABLE prescriptions (
         organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
         id uuid NOT NULL DEFAULT gen_random_uuid(),
         clinic_id uuid NOT NULL,
         patient_id uuid NOT NULL,
         doctor_id uuid NOT NULL,
         appointment_id uuid,
         status varchar(10) NOT NULL DEFAULT 'draft' CHECK (status in ('draft', 'final')),
         version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
         amends_id uuid,
         diagnosis varchar(2000),
         notes varchar(4000),
         finalized_at timestamptz,
         finalized_by uuid,
         created_by uuid,
         created_at timestamptz NOT NULL DEFAULT now(),
         updated_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (organization_id, id),
         CONSTRAINT prescriptions_clinic_id_unique UNIQUE (organization_id, clinic_id, id),
         CONSTRAINT prescriptions_final_has_time CHECK ((status = 'final') = (finalized_at IS NOT NULL)),
         CONSTRAINT prescriptions_amendment_version CHECK ((amends_id IS NULL) = (version = 1)),
         FOREIGN KEY (organization_id, clinic_id) REFERENCES clinics (organization_id, id),
         FOREIGN KEY (organization_id, patient_id) REFERENCES patients (organization_id, id),
         FOREIGN KEY (organization_id, doctor_id) REFERENCES doctors (organization_id, id),
         FOREIGN KEY (organization_id, clinic_id, appointment_id) REFERENCES appointments (organization_id, clinic_id, id),
         FOREIGN KEY (organization_id, amends_id) REFERENCES prescriptions (organization_id, id)
       )`,
      // A prescription is amended at most once: versions form a chain, never a tree.
      `CREATE UNIQUE INDEX prescriptions_one_amendment ON prescriptions (organization_id, amends_id) WHERE amends_id IS NOT NULL`,
      `CREATE INDEX prescriptions_patient ON prescriptions (organization_id, patient_id, created_at DESC)`,
      `CREATE INDEX prescriptions_clinic_day ON prescriptions (organization_id, clinic_id, created_at DESC)`,
      `CREATE INDEX prescriptions_doctor_day ON prescriptions (organization_id, doctor_id, created_at DESC)`,
      `CREATE INDEX prescriptions_appointment ON prescriptions (organization_id, appointment_id) WHERE appointment_id IS NOT NULL`,
      ...clinicPolicy('prescriptions'),
      `CREATE TABLE prescription_items (
         organization_id uuid NOT NULL,
         id uuid NOT NULL DEFAULT gen_random_uuid(),
         clinic_id uuid NOT NULL,
         prescription_id uuid NOT NULL,
         position smallint NOT NULL CHECK (position >= 0),
         medicine_id uuid NOT NULL REFERENCES medicines (id),
         -- What was prescribed, as it read then: a later rename of the medicine does not rewrite history.
         medicine_name varchar(200) NOT NULL,
         dosage varchar(100) NOT NULL,
         frequency varchar(100) NOT NULL,
         duration varchar(100) NOT NULL,
         quantity integer CHECK (quantity > 0),
         instructions varchar(500),
         short_key_id uuid,
         PRIMARY KEY (organization_id, id),
         CONSTRAINT prescription_items_position_unique UNIQUE (organization_id, prescription_id, position),
         FOREIGN KEY (organization_id, clinic_id, prescription_id) REFERENCES prescriptions (organization_id, clinic_id, id) ON DELETE CASCADE,
         FOREIGN KEY (organization_id, short_key_id) REFERENCES short_keys (organization_id, id)
       )`,
      ...clinicPolicy('prescription_items'),
      // Immutability holds in the database too, whatever the code above does.
      `CREATE FUNCTION mg_prescription_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
         begin
           if old.status = 'final' then
             raise exception 'prescription % is final', old.id using errcode = 'check_violation', constraint = 'prescriptions_final_immutable';
           end if;
           return case when tg_op = 'DELETE' then old else new end;
         end $$`,
      `CREATE TRIGGER prescriptions_final_immutable BEFORE UPDATE OR DELETE ON prescriptions
         FOR EACH ROW EXECUTE FUNCTION mg_prescription_immutable()`,
      `CREATE FUNCTION mg_prescription_item_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
         declare
           target_org uuid := case when tg_op = 'DELETE' then old.organization_id else new.organization_id end;
           target_id uuid := case when tg_op = 'DELETE' then old.prescription_id else new.prescription_id end;
         begin
           if exists (select 1 from prescriptions p where p.organization_id = target_org and p.id = target_id and p.status = 'final')
              or (tg_op = 'UPDATE' and exists (select 1 from prescriptions p
                    where p.organization_id = old.organization_id and p.id = old.prescription_id and p.status = 'final')) then
             raise exception 'prescription % is final', target_id using errcode = 'check_violation', constraint = 'prescriptions_final_immutable';
           end if;
           return case when tg_op = 'DELETE' then old else new end;
         end $$`,
      `CREATE TRIGGER prescription_items_final_immutable BEFORE INSERT OR UPDATE OR DELETE ON prescription_items
         FOR EACH ROW EXECUTE FUNCTION mg_prescription_item_immutable()`,
    ]);

    await run(
      ['doctors', 'medicines', 'short_keys', 'appointments', 'prescriptions'].map(
        (table) => `CREATE TRIGGER ${table}_updated_at BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION mg_touch_updated_at()`,
      ),
    );

    await run([
      `GRANT SELECT, INSERT, UPDATE, DELETE ON doctors, doctor_clinics, medicines, short_keys, short_key_items,
         appointments, prescriptions, prescription_items TO ${APP}`,
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    const tables = ['prescription_items', 'prescriptions', 'appointments', 'short_key_items', 'short_keys', 'medicines', 'doctor_clinics', 'doctors'];
    for (const table of tables) {
      const sql = `DROP TABLE IF EXISTS ${table} CASCADE`;
      await q.query(sql);
    }
    await q.query('DROP FUNCTION IF EXISTS mg_prescription_item_immutable()');
    await q.query('DROP FUNCTION IF EXISTS mg_prescription_immutable()');
  }
}
