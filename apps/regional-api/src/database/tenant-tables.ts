/**
 * The registry of the region's tenant tables: every table that holds an organization's data,
 * once, in foreign-key order (a table comes after every table it references). Export walks it
 * forwards, erasure backwards (`TENANT_TABLES_DELETE_ORDER`), a move between regions forwards on
 * the target; none of them keeps a list of its own, so a new table is exported, erased and moved
 * once it is here (STYLE.md, "Data access").
 *
 * The registry is held to the live schema by test/schema-security.int-spec.ts: every table with
 * an `organization_id` column must be here, and every entry's org, clinic, blob and generated
 * columns, primary key, references (pg_constraint), clinic-scoped row-level security and
 * append-only grants must be as declared. Add a table to a migration and here together.
 *
 * Foreign-key actions (ON DELETE CASCADE / SET NULL) run below row-level security: deleting a row
 * also changes the rows that reference it in clinics the deleting member cannot see (see the
 * notes of dental_procedures and the case study links).
 */

/** A column that names a file in the region's blob store, and the column naming its container. */
export interface BlobColumn {
  /** The blob's name within its container. */
  readonly name: string;
  /** The column holding the container (each org has its own, see BlobStore.containerFor). */
  readonly container: string;
}

export interface TenantTable {
  readonly table: string;
  /** The column that names the row's organization: `organization_id`, or `id` for the organizations mirror itself. */
  readonly orgColumn: 'organization_id' | 'id';
  /**
   * The column that places a row in one clinic (its rows go with that clinic), or null when the
   * table is org-wide. Rows are clinic-scoped by row-level security only where `clinicRls` says so.
   */
  readonly clinicColumn: string | null;
  /**
   * Whether row-level security also filters rows by `clinicColumn` against `app.clinic_ids` (a
   * member limited to some clinics sees only theirs); false means every member of the org sees
   * every row, whatever its clinic.
   */
  readonly clinicRls: boolean;
  /** The primary key's columns, in order (what a move upserts by). */
  readonly primaryKey: readonly string[];
  /**
   * The tables its foreign keys reference (itself included, for a chain within the table), each
   * once. Every one comes earlier in the list, except the table itself.
   */
  readonly references: readonly string[];
  /** Columns Postgres computes (GENERATED ... STORED): a move or import never writes them. */
  readonly generatedColumns: readonly string[];
  /** Columns that reference files in the blob store: export copies them, erasure deletes them. */
  readonly blobColumns: readonly BlobColumn[];
  /** Rows with a NULL org column exist and belong to no organization (the global catalogue). */
  readonly globalRows: boolean;
  /** Rows are only ever added: the app role may neither update nor delete them (the audit trail). */
  readonly appendOnly: boolean;
  /** What a walker must know beyond the columns. */
  readonly note?: string;
}

export const TENANT_TABLES = [
  {
    table: 'organizations',
    orgColumn: 'id',
    clinicColumn: null,
    clinicRls: false,
    primaryKey: ['id'],
    references: [],
    generatedColumns: [],
    blobColumns: [],
    globalRows: false,
    appendOnly: false,
    note:
      "The region's mirror of the control plane's organization (the registry lives there): one row, keyed by `id`. " +
      'Every other table but audit_events cascades from it on delete.',
  },
  {
    table: 'organization_integrations',
    orgColumn: 'organization_id',
    clinicColumn: null,
    clinicRls: false,
    primaryKey: ['organization_id'],
    references: ['organizations'],
    generatedColumns: [],
    blobColumns: [],
    globalRows: false,
    appendOnly: false,
    note: 'At most one row per org: its WhatsApp sender number, UPI VPA and fax number (flag-gated integrations). Contact and payment details, no patient data.',
  },
  {
    table: 'clinics',
    orgColumn: 'organization_id',
    clinicColumn: 'id',
    clinicRls: true,
    primaryKey: ['organization_id', 'id'],
    references: ['organizations'],
    generatedColumns: [],
    blobColumns: [],
    globalRows: false,
    appendOnly: false,
    note: 'A clinic is its own clinic: members see the clinics they are granted; only whole-org access (org admins) writes them.',
  },
  {
    table: 'memberships',
    orgColumn: 'organization_id',
    clinicColumn: null,
    clinicRls: false,
    primaryKey: ['organization_id', 'id'],
    references: ['organizations'],
    generatedColumns: [],
    blobColumns: [],
    globalRows: false,
    appendOnly: false,
    note: "Who may act in the org (user_id is the control plane's user). A move must keep user ids: tokens name them.",
  },
  {
    table: 'membership_clinics',
    orgColumn: 'organization_id',
    clinicColumn: 'clinic_id',
    clinicRls: false,
    primaryKey: ['organization_id', 'membership_id', 'clinic_id'],
    references: ['memberships', 'clinics'],
    generatedColumns: [],
    blobColumns: [],
    globalRows: false,
    appendOnly: false,
    note: "The clinics a membership is granted (the source of app.clinic_ids); read org-wide by mg_begin_request.",
  },
  {
    table: 'patients',
    orgColumn: 'organization_id',
    clinicColumn: null,
    clinicRls: false,
    primaryKey: ['organization_id', 'id'],
    references: ['organizations'],
    generatedColumns: ['first_name_key', 'last_name_key'],
    blobColumns: [],
    globalRows: false,
    appendOnly: false,
    note: 'Org-wide: a patient is seen at any of the org\'s clinics; their records there are clinic-scoped.',
  },
  {
    table: 'doctors',
    orgColumn: 'organization_id',
    clinicColumn: null,
    clinicRls: false,
    primaryKey: ['organization_id', 'id'],
    references: ['organizations', 'memberships'],
    generatedColumns: [],
    blobColumns: [],
    globalRows: false,
    appendOnly: false,
  },
  {
    table: 'doctor_clinics',
    orgColumn: 'organization_id',
    clinicColumn: 'clinic_id',
    clinicRls: false,
    primaryKey: ['organization_id', 'doctor_id', 'clinic_id'],
    references: ['doctors', 'clinics'],
    generatedColumns: [],
    blobColumns: [],
    globalRows: false,
    appendOnly: false,
    note: "Where a doctor practises, with weekly hours in the clinic's time zone. Readable org-wide; views join clinics, so a member sees only their clinics' links.",
  },
  {
    table: 'medicines',
    orgColumn: 'organization_id',
    clinicColumn: null,
    clinicRls: false,
    primaryKey: ['id'],
    references: ['organizations'],
    generatedColumns: ['name_key', 'generic_name_key'],
    blobColumns: [],
    globalRows: true,
    appendOnly: false,
    note:
      'organization_id NULL is the global catalogue: every org reads it, no org owns it, so export, erasure and moves take only ' +
      "the org's own rows (organization_id = the org). Lines elsewhere (short_key_items, prescription_items) may name a global " +
      "medicine by id, and global ids are made per region (gen_random_uuid in the catalogue migration): a move must map them by " +
      'identity (name_key, form, strength) in the target region. The key is id alone, so a line in any org can reference a global row.',
  },
  {
    table: 'short_keys',
    orgColumn: 'organization_id',
    clinicColumn: null,
    clinicRls: false,
    primaryKey: ['organization_id', 'id'],
    references: ['organizations'],
    generatedColumns: ['code_key'],
    blobColumns: [],
    globalRows: false,
    appendOnly: false,
  },
  {
    table: 'short_key_items',
    orgColumn: 'organization_id',
    clinicColumn: null,
    clinicRls: false,
    primaryKey: ['organization_id', 'id'],
    references: ['medicines', 'short_keys'],
    generatedColumns: [],
    blobColumns: [],
    globalRows: false,
    appendOnly: false,
    note: "medicine_id may be a global medicine (see medicines); a trigger refuses a medicine the org cannot see.",
  },
  {
    table: 'appointments',
    orgColumn: 'organization_id',
    clinicColumn: 'clinic_id',
    clinicRls: true,
    primaryKey: ['organization_id', 'id'],
    references: ['organizations', 'clinics', 'patients', 'doctors'],
    generatedColumns: [],
    blobColumns: [],
    globalRows: false,
    appendOnly: false,
  },
  {
    table: 'prescriptions',
    orgColumn: 'organization_id',
    clinicColumn: 'clinic_id',
    clinicRls: true,
    primaryKey: ['organization_id', 'id'],
    references: ['organizations', 'clinics', 'patients', 'doctors', 'appointments', 'prescriptions'],
    generatedColumns: [],
    blobColumns: [],
    globalRows: false,
    appendOnly: false,
    note:
      'amends_id chains versions within the table: insert in version order, delete newest first. A final prescription (and its ' +
      'items) cannot be updated or deleted, not even by the owner, while the prescriptions_final_immutable triggers are on: ' +
      'erasure disables them for its own transaction, as the owner.',
  },
  {
    table: 'prescription_items',
    orgColumn: 'organization_id',
    clinicColumn: 'clinic_id',
    clinicRls: true,
    primaryKey: ['organization_id', 'id'],
    references: ['medicines', 'prescriptions', 'short_keys'],
    generatedColumns: [],
    blobColumns: [],
    globalRows: false,
    appendOnly: false,
    note: "Carries its prescription's clinic. medicine_id may be a global medicine (see medicines); medicine_name is the name as prescribed.",
  },
  {
    table: 'dental_observation_templates',
    orgColumn: 'organization_id',
    clinicColumn: null,
    clinicRls: false,
    primaryKey: ['organization_id', 'id'],
    references: ['organizations'],
    generatedColumns: ['name_key'],
    blobColumns: [],
    globalRows: false,
    appendOnly: false,
  },
  {
    table: 'dental_observations',
    orgColumn: 'organization_id',
    clinicColumn: 'clinic_id',
    clinicRls: true,
    primaryKey: ['organization_id', 'id'],
    references: ['organizations', 'clinics', 'patients', 'doctors', 'dental_observation_templates'],
    generatedColumns: [],
    blobColumns: [],
    globalRows: false,
    appendOnly: false,
    note: 'Deleting the (org-wide) template it was made from sets template_id NULL here, in every clinic.',
  },
  {
    table: 'dental_procedures',
    orgColumn: 'organization_id',
    clinicColumn: 'clinic_id',
    clinicRls: true,
    primaryKey: ['organization_id', 'id'],
    references: ['organizations', 'clinics', 'patients', 'doctors', 'dental_observations'],
    generatedColumns: [],
    blobColumns: [],
    globalRows: false,
    appendOnly: false,
    note: "The observation it treats is the same patient's, possibly in another clinic; deleting that observation sets observation_id NULL here.",
  },
  {
    table: 'dental_attachments',
    orgColumn: 'organization_id',
    clinicColumn: 'clinic_id',
    clinicRls: true,
    primaryKey: ['organization_id', 'id'],
    references: ['organizations', 'clinics', 'patients'],
    generatedColumns: [],
    blobColumns: [{ name: 'blob_name', container: 'container' }],
    globalRows: false,
    appendOnly: false,
    note:
      "The row is the record; the bytes are a blob in the org's own container. Erasure deletes the blob after the row's " +
      'transaction commits; a move copies the blob to the target region, into the container named for the org there.',
  },
  {
    table: 'case_studies',
    orgColumn: 'organization_id',
    clinicColumn: 'clinic_id',
    clinicRls: true,
    primaryKey: ['organization_id', 'id'],
    references: ['organizations', 'clinics', 'patients'],
    generatedColumns: [],
    blobColumns: [],
    globalRows: false,
    appendOnly: false,
  },
  {
    table: 'case_study_observations',
    orgColumn: 'organization_id',
    clinicColumn: 'clinic_id',
    clinicRls: true,
    primaryKey: ['organization_id', 'case_study_id', 'observation_id'],
    references: ['case_studies', 'dental_observations'],
    generatedColumns: [],
    blobColumns: [],
    globalRows: false,
    appendOnly: false,
    note:
      "A link carries its case study's clinic; the linked observation is the same patient's, possibly in another clinic, and " +
      "deleting it there removes the link here (ON DELETE CASCADE, not filtered by row-level security).",
  },
  {
    table: 'case_study_procedures',
    orgColumn: 'organization_id',
    clinicColumn: 'clinic_id',
    clinicRls: true,
    primaryKey: ['organization_id', 'case_study_id', 'procedure_id'],
    references: ['case_studies', 'dental_procedures'],
    generatedColumns: [],
    blobColumns: [],
    globalRows: false,
    appendOnly: false,
    note:
      "A link carries its case study's clinic; the linked procedure is the same patient's, possibly in another clinic, and " +
      "deleting it there removes the link here (ON DELETE CASCADE, not filtered by row-level security).",
  },
  {
    table: 'case_study_attachments',
    orgColumn: 'organization_id',
    clinicColumn: 'clinic_id',
    clinicRls: true,
    primaryKey: ['organization_id', 'case_study_id', 'attachment_id'],
    references: ['case_studies', 'dental_attachments'],
    generatedColumns: [],
    blobColumns: [],
    globalRows: false,
    appendOnly: false,
    note:
      "A link carries its case study's clinic; the linked attachment is the same patient's, possibly in another clinic, and " +
      "deleting it there removes the link here (ON DELETE CASCADE, not filtered by row-level security).",
  },
  {
    table: 'idempotency_keys',
    orgColumn: 'organization_id',
    // The clinic of the stored answer, when it shows one: replayed only to a caller who may still access it.
    clinicColumn: 'clinic_id',
    clinicRls: false,
    primaryKey: ['organization_id', 'user_id', 'method', 'route', 'idempotency_key'],
    references: ['organizations'],
    generatedColumns: [],
    blobColumns: [],
    globalRows: false,
    appendOnly: false,
    note: 'Transient (24 hours). response_body holds copies of answered rows, patient data included: erasure deletes them; a move may drop them.',
  },
  {
    table: 'usage_daily',
    orgColumn: 'organization_id',
    clinicColumn: null,
    clinicRls: false,
    primaryKey: ['organization_id', 'day'],
    references: ['organizations'],
    generatedColumns: [],
    blobColumns: [],
    globalRows: false,
    appendOnly: false,
    note: 'API requests per org per day (UTC), flushed from memory; counts only. A move upserts by (org, day).',
  },
  {
    table: 'audit_events',
    orgColumn: 'organization_id',
    clinicColumn: 'clinic_id',
    clinicRls: false,
    primaryKey: ['organization_id', 'id'],
    references: ['organizations'],
    generatedColumns: [],
    blobColumns: [],
    globalRows: false,
    appendOnly: true,
    note:
      'Append-only: triggers refuse UPDATE, DELETE and TRUNCATE even to the owner, and its reference to organizations does not ' +
      'cascade, so erasing an org means an ops decision (drop the trigger in the erasing transaction). clinic_id is where the ' +
      'action happened, with no foreign key (the clinic may be gone); readable org-wide.',
  },
] as const satisfies readonly TenantTable[];

export type TenantTableName = (typeof TENANT_TABLES)[number]['table'];

const BY_NAME: ReadonlyMap<string, TenantTable> = new Map(TENANT_TABLES.map((entry) => [entry.table, entry]));

/** The entry of a tenant table; throws for a name that is not one. */
export function tenantTable(name: string): TenantTable {
  const entry = BY_NAME.get(name);
  if (!entry) throw new Error(`${name} is not a tenant table (see apps/regional-api/src/database/tenant-tables.ts)`);
  return entry;
}

/** The order to delete an org's rows in: children before their parents. */
export const TENANT_TABLES_DELETE_ORDER: readonly TenantTable[] = [...TENANT_TABLES].reverse();

/** Tables whose rows belong to one clinic (their `clinicColumn` names it). */
export const CLINIC_TABLES: readonly (TenantTable & { clinicColumn: string })[] = TENANT_TABLES.filter(
  (entry): entry is (typeof TENANT_TABLES)[number] & { clinicColumn: string } => entry.clinicColumn !== null,
);

/**
 * What is wrong with a list's order, as messages (none when every table comes after the tables it
 * references, itself excepted, and every referenced table is in the list).
 */
export function foreignKeyOrderProblems(tables: readonly Pick<TenantTable, 'table' | 'references'>[]): string[] {
  const problems: string[] = [];
  const position = new Map(tables.map((entry, i) => [entry.table, i]));
  if (position.size !== tables.length) problems.push('a table is listed more than once');
  tables.forEach((entry, i) => {
    for (const parent of entry.references) {
      const at = position.get(parent);
      if (at === undefined) problems.push(`${entry.table} references ${parent}, which is not in the list`);
      else if (at > i) problems.push(`${entry.table} comes before ${parent}, which it references`);
    }
  });
  return problems;
}
