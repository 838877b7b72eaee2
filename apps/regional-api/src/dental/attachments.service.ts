import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { HttpStatus, Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { BlobStore, BlobStoreUnavailableError, ContentMismatchError, UploadGuard, UploadTooLargeError } from '@medgenie/blob';
import { RequestContext } from '@medgenie/tenancy';
import { AuditService } from '../audit/audit.service';
import { ErrorCode, fail } from '../common/errors';
import { REGIONAL_CONFIG, RegionalConfig } from '../config/regional.config';
import { IdempotencyRepository } from '../idempotency/idempotency.repository';
import { assertStorageWithin } from '../organizations/plan-limits';
import { PlanLimitsRepository } from '../organizations/plan-limits.repository';
import { RequestTransactions } from '../database/request-transaction.interceptor';
import { answerFor, fingerprint, idempotencyKeyRef, ReplayedAnswer, storedAnswer } from '../idempotency/idempotency-key';
import { ClinicalReferences } from './clinical-references';
import { PATIENT_RECORD_KINDS, PatientRecords } from './patient-records';
import { DentalBlobStore } from './dental-blob-store';
import { AttachmentRow, AttachmentsRepository, NewAttachment } from './attachments.repository';
import { ATTACHMENT_CONTENT_TYPES, ATTACHMENT_EXTENSIONS, ListAttachmentsQuery, UploadAttachmentQuery } from './dto/attachment.dto';
import { Page } from '../common/page';
import { unsupportedMediaType } from './raw-upload.parser';

export type AttachmentView = Omit<AttachmentRow, 'container' | 'blobName'>;

export interface DownloadUrl {
  url: string;
  expiresAt: string;
}

export function attachmentView(a: AttachmentRow): AttachmentView {
  const { container: _c, blobName: _b, ...rest } = a;
  return rest;
}

const tooLarge = (limit: number) => fail(ErrorCode.PayloadTooLarge, `The file is larger than the limit of ${limit} bytes`);

/** "image/PNG; charset=x" -> "image/png". */
function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * A file name as people send it, made safe to keep and to echo in a Content-Disposition:
 * no directories, no control or quoting characters, at most 200 characters.
 */
export function sanitizeFileName(raw: string | undefined): string | null {
  if (!raw) return null;
  const base = raw.normalize('NFC').split(/[\\/]/).pop() ?? '';
  const clean = base
    .replace(/[^\p{L}\p{M}\p{N} ._()-]+/gu, '_')
    .replace(/\s+/g, ' ')
    .replace(/^[\s.]+|[\s.]+$/g, '')
    .slice(0, 200);
  return clean || null;
}

/** Reads a request body to its end for its SHA-256 only (nothing is stored); null when it is over `limit` bytes. */
async function hashBody(body: Readable, limit: number): Promise<string | null> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes <= limit) hash.update(chunk);
  }
  return bytes > limit ? null : hash.digest('hex');
}

/** An upload's fingerprint: method, path and query (patient, clinic, kind, file name), media type and the file's hash. */
function uploadFingerprint(request: FastifyRequest, contentType: string, sha256: string): Buffer {
  return fingerprint(request.method, request.url, `${contentType}\n${sha256}`);
}

/** RFC 5987 percent-encoding: encodeURIComponent leaves ' ( ) * ! as they are, which attr-char does not allow. */
const rfc5987 = (value: string) => encodeURIComponent(value).replace(/['()*!]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * The name a download is saved under: the stored name (or `<kind>-<id>`) with the extension of the
 * type detected at upload, whatever extension the caller gave it ("xray.exe" as a PNG is
 * "xray.png"; "scan" as a PDF is "scan.pdf").
 */
export function downloadFileName(a: Pick<AttachmentRow, 'fileName' | 'kind' | 'id' | 'contentType'>): string {
  const extension = ATTACHMENT_EXTENSIONS[a.contentType] ?? 'bin';
  const base = (a.fileName ?? `${a.kind}-${a.id}`).replace(/\.[^.]*$/, '') || `${a.kind}-${a.id}`;
  return `${base}.${extension}`;
}

/**
 * `attachment` always (never rendered inline), with an ASCII `filename` (anything else, quotes and
 * backslashes included, becomes '_') and the exact name as `filename*=UTF-8''` for non-ASCII names.
 */
export function contentDisposition(a: Pick<AttachmentRow, 'fileName' | 'kind' | 'id' | 'contentType'>): string {
  const name = downloadFileName(a);
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return ascii === name ? `attachment; filename="${ascii}"` : `attachment; filename="${ascii}"; filename*=UTF-8''${rfc5987(name)}`;
}

/** What the download route answers: the bytes and the headers that make a browser save, never sniff or render, them. */
export interface AttachmentDownload {
  body: Readable;
  contentType: string;
  contentDisposition: string;
  sizeBytes: number;
}

/**
 * X-rays, photos and documents of a patient (clinic-scoped). The bytes live in the region's
 * blob store, in the organization's own container under a random name; the row here is the
 * record. Downloads go through short-lived read-only SAS URLs for that one blob.
 */
@Injectable()
export class AttachmentsService {
  private readonly logger = new Logger(AttachmentsService.name);

  private readonly records: PatientRecords<AttachmentRow, ListAttachmentsQuery>;

  constructor(
    private readonly attachments: AttachmentsRepository,
    private readonly context: RequestContext,
    private readonly audit: AuditService,
    private readonly refs: ClinicalReferences,
    private readonly blob: DentalBlobStore,
    private readonly transactions: RequestTransactions,
    private readonly idempotency: IdempotencyRepository,
    private readonly limits: PlanLimitsRepository,
    @Inject(REGIONAL_CONFIG) private readonly config: RegionalConfig,
  ) {
    this.records = new PatientRecords(PATIENT_RECORD_KINDS.attachment, attachments, refs, audit);
  }

  /**
   * With an Idempotency-Key, a key that already holds an answer is found before anything is
   * stored: the file is read for its hash only, and the first answer is sent again (or a 422 when
   * the file or the query differ). Otherwise the key is claimed in the transaction that records
   * the attachment; a duplicate that streamed at the same time and lost that race replays the
   * winner's answer and deletes its own copy of the file.
   */
  async upload(query: UploadAttachmentQuery, request: FastifyRequest): Promise<AttachmentView | ReplayedAnswer> {
    const contentType = mediaType(request.headers['content-type']);
    const body = request.body;
    if (!(ATTACHMENT_CONTENT_TYPES as readonly string[]).includes(contentType) || !(body instanceof Readable)) {
      throw unsupportedMediaType(`An attachment is sent as the raw body with one of: ${ATTACHMENT_CONTENT_TYPES.join(', ')}`);
    }
    const limit = this.config.attachmentMaxBytes;
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
    const key = idempotencyKeyRef(request);

    // Three steps, so that no pooled connection waits on the caller's upload speed: check what the
    // file points at (a short transaction), stream it to the blob store (none), record it (another).
    const completed = await this.transactions.run(async () => {
      const stored = key && (await this.idempotency.findAnswer({ orgId: this.context.orgId, userId: this.context.userId }, key));
      if (stored) return stored;
      await this.refs.patient(query.patientId);
      await this.refs.clinic(query.clinicId);
      // A file that cannot fit the plan's storage is refused before it streams in.
      if (Number.isFinite(declared)) await assertStorageWithin(this.limits, declared);
      return undefined;
    });
    if (completed) {
      const sha256 = await hashBody(body, limit);
      if (sha256 === null) throw tooLarge(limit);
      return answerFor(completed, uploadFingerprint(request, contentType, sha256), (id) => this.context.canAccessClinic(id));
    }

    const container = BlobStore.containerFor(this.context.orgId);
    // Not derived from anything the caller knows: a name that cannot be guessed.
    const blobName = randomBytes(24).toString('base64url');
    await this.blob.use((store) => store.ensureContainer(container));

    const guard = new UploadGuard(contentType, limit);
    body.on('error', (err) => guard.destroy(err));
    guard.on('error', () => {
      // Stop feeding the blob store but read the rest of the request, so the caller gets its answer.
      body.unpipe(guard);
      body.resume();
    });
    body.pipe(guard);
    try {
      await this.blob.use((store) => store.upload(container, blobName, guard, { contentType }));
    } catch (err) {
      await this.discard(container, blobName);
      if (err instanceof UploadTooLargeError) throw tooLarge(limit);
      if (err instanceof ContentMismatchError) throw unsupportedMediaType(`The file's content is not ${contentType}`);
      throw err;
    }

    const sha256 = guard.digest();
    const attachment: NewAttachment = {
      id: randomUUID(),
      clinicId: query.clinicId,
      patientId: query.patientId,
      kind: query.kind,
      contentType,
      sizeBytes: guard.bytes,
      sha256,
      fileName: sanitizeFileName(query.fileName),
      container,
      blobName,
      uploadedBy: this.context.userId,
    };
    const record = async (): Promise<AttachmentView> => {
      // The patient or the caller's access may have changed while the file streamed in; the storage
      // limit is decided here, on the file's real size, with the organization row locked.
      await this.refs.patient(query.patientId);
      await this.refs.clinic(query.clinicId);
      await assertStorageWithin(this.limits, attachment.sizeBytes);
      const recorded = await this.attachments.insert(attachment);
      this.audit.record({
        action: 'attachment.upload',
        resourceType: 'dental_attachment',
        resourceId: attachment.id,
        clinicId: attachment.clinicId,
        details: { patientId: attachment.patientId, kind: attachment.kind, contentType, sizeBytes: attachment.sizeBytes },
      });
      return attachmentView(recorded);
    };
    try {
      // A write, checked again as the keyed path does: the org may have become read-only (trial, unpaid) while the file streamed in.
      if (!key) return await this.transactions.run(record, undefined, true);
      const claim = { ...key, fingerprint: uploadFingerprint(request, contentType, sha256) };
      const result = await this.transactions.runIdempotent(claim, record, (view) => storedAnswer(HttpStatus.CREATED, view));
      // A duplicate recorded the attachment first: this copy of the file is not needed.
      if (result instanceof ReplayedAnswer) await this.discard(container, blobName);
      return result;
    } catch (err) {
      await this.discard(container, blobName);
      throw err;
    }
  }

  /** A page of the patient's attachments, audited as one list event with the ids it returned. */
  list(query: ListAttachmentsQuery): Promise<Page<AttachmentView>> {
    return this.records.list(query, attachmentView);
  }

  async get(id: string): Promise<AttachmentView> {
    return attachmentView(await this.records.read(id));
  }

  /** A read-only URL for this one blob, valid for BLOB_SAS_TTL_SECONDS; each mint is audited. */
  async downloadUrl(id: string): Promise<DownloadUrl> {
    const attachment = await this.find(id);
    // SAS times have whole seconds: the expiry we state is the one the store enforces.
    const expiresAt = new Date(Math.floor(Date.now() / 1000) * 1000 + this.config.blob.sasTtlSeconds * 1000);
    const url = this.blob.signer.readUrl(attachment.container, attachment.blobName, {
      expiresOn: expiresAt,
      contentDisposition: contentDisposition(attachment),
      contentType: attachment.contentType,
    });
    this.audit.record({
      action: 'attachment.download_url',
      resourceType: 'dental_attachment',
      resourceId: id,
      clinicId: attachment.clinicId,
      details: { expiresAt: expiresAt.toISOString() },
    });
    return { url, expiresAt: expiresAt.toISOString() };
  }

  /**
   * The file itself, through the API: its Content-Type is the one its bytes were checked against at
   * upload (UploadGuard refuses a file whose first bytes are not its declared type), and the
   * controller adds X-Content-Type-Options: nosniff. The bytes are read from the store over a
   * read-only SAS URL for this one blob that lives a minute; no transaction is open while they flow.
   */
  async download(id: string): Promise<AttachmentDownload> {
    const attachment = await this.transactions.run(async () => {
      const found = await this.find(id);
      this.audit.record({ action: 'attachment.download', resourceType: 'dental_attachment', resourceId: id, clinicId: found.clinicId });
      return found;
    });
    const url = this.blob.signer.readUrl(attachment.container, attachment.blobName, {
      expiresOn: new Date(Date.now() + 60_000),
      contentType: attachment.contentType,
    });
    const body = await this.blob.use(async () => {
      let res: Response;
      try {
        res = await fetch(url, { signal: AbortSignal.timeout(this.config.blob.timeoutMs) });
      } catch (err) {
        throw new BlobStoreUnavailableError(err);
      }
      if (res.status !== 200 || !res.body) {
        await res.body?.cancel();
        throw new BlobStoreUnavailableError(new Error(`the blob store answered ${res.status}`));
      }
      return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
    });
    return { body, contentType: attachment.contentType, contentDisposition: contentDisposition(attachment), sizeBytes: attachment.sizeBytes };
  }

  /** The row and its blob go together: when the store cannot delete, the request fails and the row stays. */
  async remove(id: string): Promise<void> {
    const attachment = await this.find(id);
    await this.attachments.deleteById(id);
    this.audit.record({ action: 'attachment.delete', resourceType: 'dental_attachment', resourceId: id, clinicId: attachment.clinicId });
    // Last, so that nothing after it can roll the row back once the bytes are gone.
    await this.blob.use((store) => store.delete(attachment.container, attachment.blobName));
  }

  /** For case studies: an attachment the caller can see, of this patient. */
  findOfPatient(id: string, patientId: string, clinicId: string): Promise<AttachmentRow> {
    return this.records.findOfPatient(id, patientId, clinicId);
  }

  private find(id: string): Promise<AttachmentRow> {
    return this.records.find(id);
  }

  /** Best effort: a failed upload leaves no committed blob, but make sure. */
  private async discard(container: string, blobName: string): Promise<void> {
    try {
      await this.blob.use((store) => store.delete(container, blobName));
    } catch (err) {
      this.logger.warn({ err, container }, 'could not delete the blob of a failed upload');
    }
  }
}
