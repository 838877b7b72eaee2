import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@medgenie/database';

/** The organization's integration settings; null where none is set. */
export interface IntegrationSettings {
  whatsappSenderNumber: string | null;
  upiVpa: string | null;
  faxNumber: string | null;
}

export type IntegrationField = keyof IntegrationSettings;

const COLUMN: Readonly<Record<IntegrationField, string>> = {
  whatsappSenderNumber: 'whatsapp_sender_number',
  upiVpa: 'upi_vpa',
  faxNumber: 'fax_number',
};

const FIELDS = Object.keys(COLUMN) as IntegrationField[];

const SELECT = `select ${FIELDS.map((field) => `${COLUMN[field]} as "${field}"`).join(', ')}
  from organization_integrations where organization_id = $1`;

const SELECT_FOR_UPDATE = `${SELECT} for update`;

const NONE: IntegrationSettings = { whatsappSenderNumber: null, upiVpa: null, faxNumber: null };

/** `organization_integrations`: at most one row per org, made by the first change. */
@Injectable()
export class IntegrationsRepository {
  constructor(private readonly tx: TransactionHost) {}

  async find(): Promise<IntegrationSettings> {
    const sql = this.tx.sql;
    const [row] = await sql.query<IntegrationSettings>(SELECT, [sql.orgId]);
    return row ?? { ...NONE };
  }

  /** As `find`, locking the row (when there is one) until the transaction ends, for a change. */
  async findForUpdate(): Promise<IntegrationSettings> {
    const sql = this.tx.sql;
    const [row] = await sql.query<IntegrationSettings>(SELECT_FOR_UPDATE, [sql.orgId]);
    return row ?? { ...NONE };
  }

  /** Writes the fields given (undefined ones are left as they are; none given: no statement). */
  async update(patch: Partial<IntegrationSettings>): Promise<void> {
    const fields = FIELDS.filter((field) => patch[field] !== undefined);
    if (fields.length === 0) return;
    const sql = this.tx.sql;
    const columns = fields.map((field) => COLUMN[field]);
    const text = `insert into organization_integrations (organization_id, ${columns.join(', ')})
      values ($1, ${columns.map((_, i) => `$${i + 2}`).join(', ')})
      on conflict (organization_id) do update set ${columns.map((column) => `${column} = excluded.${column}`).join(', ')}, updated_at = now()`;
    await sql.query(text, [sql.orgId, ...fields.map((field) => patch[field])]);
  }
}
