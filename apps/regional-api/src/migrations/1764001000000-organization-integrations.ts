import { MigrationInterface, QueryRunner } from 'typeorm';
import { orgPolicy } from './rls';

const APP = 'medgenie_app';

/** E.164: a '+', a country code that does not start with 0, at most 15 digits in all. */
const E164 = `'^\\+[1-9][0-9]{1,14}$'`;

/**
 * An organization's settings for the integrations that feature flags gate (issue 12): a WhatsApp
 * sender number (`whatsapp_integration`), a UPI VPA (`upi_payments`) and a fax number
 * (`fax_integration`). One row per org at most, made by the first change; every value is
 * optional, and what the API validates (libphonenumber-js, NPCI's VPA format) the database holds
 * by shape too (a VPA's local part of 2 to 256 characters by the position of its '@': Postgres
 * regular expressions repeat at most 255 times). A flag turned off hides its value from the API but keeps it here.
 */
export class OrganizationIntegrations1764001000000 implements MigrationInterface {
  name = 'OrganizationIntegrations1764001000000';

  async up(q: QueryRunner): Promise<void> {
    const statements = [
      `CREATE TABLE organization_integrations (
         organization_id uuid PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
         whatsapp_sender_number varchar(16) CHECK (whatsapp_sender_number ~ ${E164}),
         upi_vpa varchar(321) CHECK (upi_vpa ~ '^[A-Za-z0-9._-]+@[A-Za-z]{2,64}$' and strpos(upi_vpa, '@') between 3 and 257),
         fax_number varchar(16) CHECK (fax_number ~ ${E164}),
         updated_at timestamptz NOT NULL DEFAULT now()
       )`,
      ...orgPolicy('organization_integrations'),
      `GRANT SELECT, INSERT, UPDATE, DELETE ON organization_integrations TO ${APP}`,
    ];
    for (const sql of statements) await q.query(sql);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS organization_integrations');
  }
}
