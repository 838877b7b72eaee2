import { Injectable } from '@nestjs/common';
import { prepared, TransactionHost } from '@medgenie/database';
import { rowById, runById } from '../common/by-id.repository';
import { Page } from '../common/page';
import { pagePatientRecords, PatientRecordsQuery, PatientRecordsTable } from '../common/patient-records.repository';
import type { AttachmentKind } from './dto/attachment.dto';

export interface AttachmentRow {
  id: string;
  clinicId: string;
  patientId: string;
  kind: AttachmentKind;
  contentType: string;
  /** bigint, read as a number. */
  sizeBytes: number;
  sha256: string;
  fileName: string | null;
  /** Where the bytes are: the org's container in the region's blob store, and the blob's (random) name. */
  container: string;
  blobName: string;
  uploadedBy: string;
  createdAt: Date;
}

export type NewAttachment = Omit<AttachmentRow, 'createdAt'>;

export interface AttachmentsOfPatientQuery extends PatientRecordsQuery {
  kind?: AttachmentKind;
}

const COLUMNS = `id, clinic_id as "clinicId", patient_id as "patientId", kind, content_type as "contentType", size_bytes::float8 as "sizeBytes",
  sha256, file_name as "fileName", container, blob_name as "blobName", uploaded_by as "uploadedBy", created_at as "createdAt"`;

const RECORDS: PatientRecordsTable = { table: 'dental_attachments', columns: COLUMNS, newestBy: 'created_at' };

const INSERT = prepared(`insert into dental_attachments
  (organization_id, id, clinic_id, patient_id, kind, content_type, size_bytes, sha256, file_name, container, blob_name, uploaded_by)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning ${COLUMNS}`);
const FIND = prepared(`select ${COLUMNS} from dental_attachments where organization_id = $1 and id = $2`);
const FIND_MANY = prepared(`select ${COLUMNS} from dental_attachments where organization_id = $1 and id = any($2::uuid[])`);
const DELETE = prepared(`delete from dental_attachments where organization_id = $1 and id = $2`);

/** The records of X-rays, photos and documents (dental_attachments); the bytes are in the blob store. RLS hides rows in clinics the caller may not access. */
@Injectable()
export class AttachmentsRepository {
  constructor(private readonly tx: TransactionHost) {}

  async insert(a: NewAttachment): Promise<AttachmentRow> {
    const sql = this.tx.sql;
    const [row] = await sql.run<AttachmentRow>(INSERT, [
      sql.orgId,
      a.id,
      a.clinicId,
      a.patientId,
      a.kind,
      a.contentType,
      a.sizeBytes,
      a.sha256,
      a.fileName,
      a.container,
      a.blobName,
      a.uploadedBy,
    ]);
    return row;
  }

  findById(id: string): Promise<AttachmentRow | null> {
    return rowById<AttachmentRow>(this.tx.sql, FIND, id);
  }

  /** Those of `ids` the caller can see, in no particular order. */
  async findByIds(ids: readonly string[]): Promise<AttachmentRow[]> {
    if (!ids.length) return [];
    const sql = this.tx.sql;
    return sql.run<AttachmentRow>(FIND_MANY, [sql.orgId, ids]);
  }

  /** A page of a patient's attachments, newest first; of one kind when `kind` is given. */
  async listForPatient(query: AttachmentsOfPatientQuery): Promise<Page<AttachmentRow>> {
    return pagePatientRecords<AttachmentRow>(this.tx.sql, RECORDS, query, { kind: query.kind || undefined });
  }

  /** The answer `userId`'s Idempotency-Key already holds in this org, if an earlier upload with it completed. */

  /** The record only: its blob is the caller's to delete. */
  deleteById(id: string): Promise<void> {
    return runById(this.tx.sql, DELETE, id);
  }
}
