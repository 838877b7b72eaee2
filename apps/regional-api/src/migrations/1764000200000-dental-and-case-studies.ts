import { MigrationInterface, QueryRunner } from 'typeorm';
import { clinicPolicy, orgPolicy } from './rls';

const APP = 'medgenie_app';

/**
 * FDI (ISO 3950) tooth numbers: quadrant digit then position. Permanent teeth 11–18, 21–28,
 * 31–38, 41–48; primary teeth 51–55, 61–65, 71–75, 81–85.
 */
export const FDI_CHECK = (column: string) =>
  `(${column} / 10 between 1 and 4 and ${column} % 10 between 1 and 8) or (${column} / 10 between 5 and 8 and ${column} % 10 between 1 and 5)`;

const SURFACES = `'mesial', 'distal', 'buccal', 'facial', 'lingual', 'palatal', 'occlusal', 'incisal'`;
const CONDITIONS = `'caries', 'fracture', 'missing', 'filled', 'crown', 'root_canal', 'implant', 'bridge', 'mobility',
  'gingivitis', 'periodontitis', 'abscess', 'sensitivity', 'wear', 'impacted', 'other'`;
const SEVERITIES = `'mild', 'moderate', 'severe'`;

/**
 * Dental records (issue 5): observation templates (per org), observations and procedures per
 * tooth, attachments whose bytes live in the region's blob store (one container per org), and
 * case studies that link a patient's records. Same rules as every tenant table: primary key
 * `(organization_id, id)`, foreign keys that carry the org, indexes that lead with it, RLS forced;
 * all but the templates are clinic-scoped.
 *
 * Links that must stay within one patient (a procedure's observation, a case study's items) are
 * foreign keys on `(organization_id, patient_id, id)`, so the database itself refuses a link to
 * another patient's record, whatever the code above does.
 */
export class DentalAndCaseStudies1764000200000 implements MigrationInterface {
  name = 'DentalAndCaseStudies1764000200000';

  async up(q: QueryRunner): Promise<void> {
    const run = async (statements: string[]) => {
      for (const sql of statements) await q.query(sql);
    };

    await run([
      `CREATE TABLE dental_observation_templates (
         organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
         id uuid NOT NULL DEFAULT gen_random_uuid(),
         name varchar(120) NOT NULL,
         surface varchar(10) CHECK (surface in (${SURFACES})),
         condition varchar(20) CHECK (condition in (${CONDITIONS})),
         severity varchar(10) CHECK (severity in (${SEVERITIES})),
         notes_template varchar(4000),
         created_by uuid,
         created_at timestamptz NOT NULL DEFAULT now(),
         updated_at timestamptz NOT NULL DEFAULT now(),
         name_key varchar(120) COLLATE "C" GENERATED ALWAYS AS (lower(name)) STORED,
         PRIMARY KEY (organization_id, id)
       )`,
      `CREATE UNIQUE INDEX dental_observation_templates_name_unique ON dental_observation_templates (organization_id, name_key)`,
      ...orgPolicy('dental_observation_templates'),

      `CREATE TABLE dental_observations (
         organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
         id uuid NOT NULL DEFAULT gen_random_uuid(),
         clinic_id uuid NOT NULL,
         patient_id uuid NOT NULL,
         doctor_id uuid,
         template_id uuid,
         tooth smallint NOT NULL CONSTRAINT dental_observations_fdi_tooth CHECK (${FDI_CHECK('tooth')}),
         surface varchar(10) CHECK (surface in (${SURFACES})),
         condition varchar(20) NOT NULL CHECK (condition in (${CONDITIONS})),
         severity varchar(10) CHECK (severity in (${SEVERITIES})),
         notes varchar(4000),
         observed_at timestamptz NOT NULL DEFAULT now(),
         created_by uuid,
         created_at timestamptz NOT NULL DEFAULT now(),
         updated_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (organization_id, id),
         CONSTRAINT dental_observations_patient_id_unique UNIQUE (organization_id, patient_id, id),
         FOREIGN KEY (organization_id, clinic_id) REFERENCES clinics (organization_id, id),
         FOREIGN KEY (organization_id, patient_id) REFERENCES patients (organization_id, id),
         FOREIGN KEY (organization_id, doctor_id) REFERENCES doctors (organization_id, id),
         FOREIGN KEY (organization_id, template_id) REFERENCES dental_observation_templates (organization_id, id) ON DELETE SET NULL (template_id)
       )`,
      `CREATE INDEX dental_observations_patient_tooth ON dental_observations (organization_id, patient_id, tooth, observed_at DESC)`,
      `CREATE INDEX dental_observations_patient_time ON dental_observations (organization_id, patient_id, observed_at DESC)`,
      `CREATE INDEX dental_observations_clinic ON dental_observations (organization_id, clinic_id, observed_at DESC)`,
      `CREATE INDEX dental_observations_template ON dental_observations (organization_id, template_id) WHERE template_id IS NOT NULL`,
      ...clinicPolicy('dental_observations'),

      `CREATE TABLE dental_procedures (
         organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
         id uuid NOT NULL DEFAULT gen_random_uuid(),
         clinic_id uuid NOT NULL,
         patient_id uuid NOT NULL,
         doctor_id uuid,
         observation_id uuid,
         code varchar(20) NOT NULL CONSTRAINT dental_procedures_code_format CHECK (code ~ '^[A-Z0-9][A-Z0-9.-]{1,19}$'),
         description varchar(500) NOT NULL,
         tooth smallint CONSTRAINT dental_procedures_fdi_tooth CHECK (tooth IS NULL OR ${FDI_CHECK('tooth')}),
         surface varchar(10) CHECK (surface in (${SURFACES})),
         status varchar(12) NOT NULL DEFAULT 'planned' CHECK (status in ('planned', 'in_progress', 'completed', 'cancelled')),
         cost numeric(12, 2) NOT NULL DEFAULT 0 CHECK (cost >= 0),
         currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
         performed_at timestamptz,
         notes varchar(4000),
         created_by uuid,
         created_at timestamptz NOT NULL DEFAULT now(),
         updated_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (organization_id, id),
         CONSTRAINT dental_procedures_patient_id_unique UNIQUE (organization_id, patient_id, id),
         CONSTRAINT dental_procedures_completed_has_time CHECK (status <> 'completed' OR performed_at IS NOT NULL),
         FOREIGN KEY (organization_id, clinic_id) REFERENCES clinics (organization_id, id),
         FOREIGN KEY (organization_id, patient_id) REFERENCES patients (organization_id, id),
         FOREIGN KEY (organization_id, doctor_id) REFERENCES doctors (organization_id, id),
         -- The observation a procedure treats belongs to the same patient.
         FOREIGN KEY (organization_id, patient_id, observation_id) REFERENCES dental_observations (organization_id, patient_id, id)
           ON DELETE SET NULL (observation_id)
       )`,
      `CREATE INDEX dental_procedures_patient ON dental_procedures (organization_id, patient_id, created_at DESC)`,
      `CREATE INDEX dental_procedures_clinic ON dental_procedures (organization_id, clinic_id, created_at DESC)`,
      `CREATE INDEX dental_procedures_observation ON dental_procedures (organization_id, observation_id) WHERE observation_id IS NOT NULL`,
      ...clinicPolicy('dental_procedures'),

      // The bytes live in the blob store (container per org, random blob name); this is the record.
      `CREATE TABLE dental_attachments (
         organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
         id uuid NOT NULL DEFAULT gen_random_uuid(),
         clinic_id uuid NOT NULL,
         patient_id uuid NOT NULL,
         kind varchar(10) NOT NULL CHECK (kind in ('xray', 'photo', 'document')),
         content_type varchar(40) NOT NULL
           CHECK (content_type in ('image/jpeg', 'image/png', 'image/webp', 'application/dicom', 'application/pdf')),
         size_bytes bigint NOT NULL CHECK (size_bytes > 0),
         sha256 char(64) NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
         file_name varchar(200),
         container varchar(63) NOT NULL,
         blob_name varchar(200) NOT NULL,
         uploaded_by uuid NOT NULL,
         created_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (organization_id, id),
         CONSTRAINT dental_attachments_patient_id_unique UNIQUE (organization_id, patient_id, id),
         CONSTRAINT dental_attachments_blob_unique UNIQUE (organization_id, blob_name),
         FOREIGN KEY (organization_id, clinic_id) REFERENCES clinics (organization_id, id),
         FOREIGN KEY (organization_id, patient_id) REFERENCES patients (organization_id, id)
       )`,
      `CREATE INDEX dental_attachments_patient ON dental_attachments (organization_id, patient_id, created_at DESC)`,
      `CREATE INDEX dental_attachments_clinic ON dental_attachments (organization_id, clinic_id, created_at DESC)`,
      ...clinicPolicy('dental_attachments'),
    ]);

    // Case studies: a patient's story, linking that same patient's observations, procedures and
    // attachments. Link rows carry the case study's clinic (RLS) and patient (same-patient FKs).
    await run([
      `CREATE TABLE case_studies (
         organization_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
         id uuid NOT NULL DEFAULT gen_random_uuid(),
         clinic_id uuid NOT NULL,
         patient_id uuid NOT NULL,
         title varchar(200) NOT NULL,
         summary varchar(20000),
         created_by uuid,
         created_at timestamptz NOT NULL DEFAULT now(),
         updated_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (organization_id, id),
         CONSTRAINT case_studies_link_key UNIQUE (organization_id, clinic_id, patient_id, id),
         FOREIGN KEY (organization_id, clinic_id) REFERENCES clinics (organization_id, id),
         FOREIGN KEY (organization_id, patient_id) REFERENCES patients (organization_id, id)
       )`,
      `CREATE INDEX case_studies_patient ON case_studies (organization_id, patient_id, created_at DESC)`,
      `CREATE INDEX case_studies_clinic ON case_studies (organization_id, clinic_id, created_at DESC)`,
      ...clinicPolicy('case_studies'),
      ...(
        [
          ['case_study_observations', 'observation_id', 'dental_observations'],
          ['case_study_procedures', 'procedure_id', 'dental_procedures'],
          ['case_study_attachments', 'attachment_id', 'dental_attachments'],
        ] as const
      ).flatMap(([table, column, target]) => [
        `CREATE TABLE ${table} (
           organization_id uuid NOT NULL,
           case_study_id uuid NOT NULL,
           ${column} uuid NOT NULL,
           clinic_id uuid NOT NULL,
           patient_id uuid NOT NULL,
           position smallint NOT NULL CHECK (position >= 0),
           PRIMARY KEY (organization_id, case_study_id, ${column}),
           FOREIGN KEY (organization_id, clinic_id, patient_id, case_study_id)
             REFERENCES case_studies (organization_id, clinic_id, patient_id, id) ON DELETE CASCADE,
           FOREIGN KEY (organization_id, patient_id, ${column}) REFERENCES ${target} (organization_id, patient_id, id) ON DELETE CASCADE
         )`,
        `CREATE INDEX ${table}_target ON ${table} (organization_id, ${column})`,
        ...clinicPolicy(table),
      ]),
    ]);

    await run(
      ['dental_observation_templates', 'dental_observations', 'dental_procedures', 'case_studies'].map(
        (table) => `CREATE TRIGGER ${table}_updated_at BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION mg_touch_updated_at()`,
      ),
    );

    await run([
      `GRANT SELECT, INSERT, UPDATE, DELETE ON dental_observation_templates, dental_observations, dental_procedures,
         case_studies, case_study_observations, case_study_procedures, case_study_attachments TO ${APP}`,
      // An attachment's record changes only by being deleted (with its blob).
      `GRANT SELECT, INSERT, DELETE ON dental_attachments TO ${APP}`,
    ]);
  }

  async down(q: QueryRunner): Promise<void> {
    const tables = [
      'case_study_attachments',
      'case_study_procedures',
      'case_study_observations',
      'case_studies',
      'dental_attachments',
      'dental_procedures',
      'dental_observations',
      'dental_observation_templates',
    ];
    for (const table of tables) {
      const sql = `DROP TABLE IF EXISTS ${table} CASCADE`;
      await q.query(sql);
    }
  }
}
