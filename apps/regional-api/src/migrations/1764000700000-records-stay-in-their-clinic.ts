import { MigrationInterface, QueryRunner } from 'typeorm';

const RECORDS = ['dental_observations', 'dental_procedures', 'dental_attachments'];

/** The record tables a case study links to, and the links' foreign keys to them before this migration. */
const LINKS = [
  ['case_study_observations', 'observation_id', 'dental_observations', 'case_study_observations_organization_id_patient_id_observa_fkey'],
  ['case_study_procedures', 'procedure_id', 'dental_procedures', 'case_study_procedures_organization_id_patient_id_procedure_fkey'],
  ['case_study_attachments', 'attachment_id', 'dental_attachments', 'case_study_attachments_organization_id_patient_id_attachme_fkey'],
] as const;

/**
 * A clinic's records link only to records of the same clinic (clinic-tier isolation). A case
 * study cited another clinic's observations, procedures and attachments, and a procedure could
 * treat another clinic's observation; deleting a record in one clinic then changed rows of the
 * other (the cascade and SET NULL run below row-level security), and the citing clinic's staff
 * could not read what was cited anyway. The links' foreign keys now include the clinic, so the
 * database refuses such a link whatever the application does. Links that already crossed a
 * clinic are removed (the records stay; only the citation goes) and a procedure's observation
 * from another clinic is unset.
 */
export class RecordsStayInTheirClinic1764000700000 implements MigrationInterface {
  name = 'RecordsStayInTheirClinic1764000700000';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      ...RECORDS.map((table) => `ALTER TABLE ${table} ADD CONSTRAINT ${table}_clinic_patient_id_unique UNIQUE (organization_id, clinic_id, patient_id, id)`),
      `UPDATE dental_procedures p SET observation_id = NULL
        FROM dental_observations o
        WHERE o.organization_id = p.organization_id AND o.id = p.observation_id AND o.clinic_id <> p.clinic_id`,
      `ALTER TABLE dental_procedures
        DROP CONSTRAINT dental_procedures_organization_id_patient_id_observation_i_fkey,
        ADD CONSTRAINT dental_procedures_observation_same_clinic
          FOREIGN KEY (organization_id, clinic_id, patient_id, observation_id) REFERENCES dental_observations (organization_id, clinic_id, patient_id, id)
          ON DELETE SET NULL (observation_id)`,
      ...LINKS.flatMap(([table, column, target, oldKey]) => [
        `DELETE FROM ${table} l USING ${target} r
          WHERE r.organization_id = l.organization_id AND r.id = l.${column} AND r.clinic_id <> l.clinic_id`,
        `ALTER TABLE ${table}
          DROP CONSTRAINT ${oldKey},
          ADD CONSTRAINT ${table}_same_clinic
            FOREIGN KEY (organization_id, clinic_id, patient_id, ${column}) REFERENCES ${target} (organization_id, clinic_id, patient_id, id) ON DELETE CASCADE`,
      ]),
      // An Idempotency-Key's stored answer is replayed only to a caller who may still access its clinic.
      `ALTER TABLE idempotency_keys ADD COLUMN clinic_id uuid`,
    ];
    for (const statement of statements) await q.query(statement);
  }

  async down(q: QueryRunner): Promise<void> {
    const statements = [
      `ALTER TABLE idempotency_keys DROP COLUMN IF EXISTS clinic_id`,
      ...LINKS.map(
        ([table, column, target, oldKey]) => `ALTER TABLE ${table} DROP CONSTRAINT ${table}_same_clinic,
          ADD CONSTRAINT ${oldKey} FOREIGN KEY (organization_id, patient_id, ${column}) REFERENCES ${target} (organization_id, patient_id, id) ON DELETE CASCADE`,
      ),
      `ALTER TABLE dental_procedures DROP CONSTRAINT dental_procedures_observation_same_clinic,
        ADD CONSTRAINT dental_procedures_organization_id_patient_id_observation_i_fkey
          FOREIGN KEY (organization_id, patient_id, observation_id) REFERENCES dental_observations (organization_id, patient_id, id) ON DELETE SET NULL (observation_id)`,
      ...RECORDS.map((table) => `ALTER TABLE ${table} DROP CONSTRAINT ${table}_clinic_patient_id_unique`),
    ];
    for (const statement of statements) await q.query(statement);
  }
}
