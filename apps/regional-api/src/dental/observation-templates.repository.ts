import { Injectable } from '@nestjs/common';
import { prepared, TransactionHost } from '@medgenie/database';
import { rowById } from '../common/by-id.repository';
import { PatchColumns, preparedFor, rowUpdate } from '../common/sql-patch';
import type { Condition, Severity, Surface } from './dental.constants';

/** A template's name is unique in its org, whatever its case (a unique index on lower(name)). */
export const TEMPLATE_NAME_UNIQUE = 'dental_observation_templates_name_unique';

export interface ObservationTemplateRow {
  id: string;
  name: string;
  surface: Surface | null;
  condition: Condition | null;
  severity: Severity | null;
  notesTemplate: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type NewObservationTemplate = Omit<ObservationTemplateRow, 'createdAt' | 'updatedAt'>;
export type ObservationTemplatePatch = Partial<Pick<ObservationTemplateRow, 'name' | 'surface' | 'condition' | 'severity' | 'notesTemplate'>>;

const COLUMNS = `id, name, surface, condition, severity, notes_template as "notesTemplate", created_by as "createdBy",
  created_at as "createdAt", updated_at as "updatedAt"`;

/** The columns a patch may set, by the row's names. */
const PATCHABLE: PatchColumns<ObservationTemplatePatch> = {
  name: 'name',
  surface: 'surface',
  condition: 'condition',
  severity: 'severity',
  notesTemplate: 'notes_template',
};

const INSERT = prepared(`insert into dental_observation_templates (organization_id, id, name, surface, condition, severity, notes_template, created_by)
  values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${COLUMNS}`);
const FIND = prepared(`select ${COLUMNS} from dental_observation_templates where organization_id = $1 and id = $2`);
const LIST = prepared(`select ${COLUMNS} from dental_observation_templates where organization_id = $1 order by name asc, id asc`);
const DELETE = prepared(`with deleted as (delete from dental_observation_templates where organization_id = $1 and id = $2 returning 1)
  select count(*)::int as count from deleted`);

/** An org's dental observation templates (dental_observation_templates). */
@Injectable()
export class ObservationTemplatesRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Violates TEMPLATE_NAME_UNIQUE when the org has a template of that name. */
  async insert(t: NewObservationTemplate): Promise<ObservationTemplateRow> {
    const sql = this.tx.sql;
    const [row] = await sql.run<ObservationTemplateRow>(INSERT, [
      sql.orgId,
      t.id,
      t.name,
      t.surface,
      t.condition,
      t.severity,
      t.notesTemplate,
      t.createdBy,
    ]);
    return row;
  }

  findById(id: string): Promise<ObservationTemplateRow | null> {
    return rowById<ObservationTemplateRow>(this.tx.sql, FIND, id);
  }

  /** The org's templates by name. */
  async listAll(): Promise<ObservationTemplateRow[]> {
    const sql = this.tx.sql;
    return sql.run<ObservationTemplateRow>(LIST, [sql.orgId]);
  }

  /** Sets the patch's fields; the row as it is after, or null when there is none. Violates TEMPLATE_NAME_UNIQUE on a taken name. */
  async update(id: string, patch: ObservationTemplatePatch): Promise<ObservationTemplateRow | null> {
    const sql = this.tx.sql;
    const update = rowUpdate('dental_observation_templates', PATCHABLE, sql.orgId, id, patch, { returning: COLUMNS });
    if (!update) return this.findById(id);
    const [row] = await sql.run<ObservationTemplateRow>(preparedFor(update.text), update.values);
    return row ?? null;
  }

  /** True when there was such a template. Observations made from it keep their values; their template_id is cleared. */
  async deleteById(id: string): Promise<boolean> {
    const sql = this.tx.sql;
    const [{ count }] = await sql.run<{ count: number }>(DELETE, [sql.orgId, id]);
    return count > 0;
  }
}
