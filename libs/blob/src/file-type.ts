import { createHash, Hash } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';

/** Bytes needed to recognise every type below (DICOM's "DICM" sits after a 128-byte preamble). */
export const SNIFF_BYTES = 132;

const SIGNATURES: Record<string, (head: Buffer) => boolean> = {
  'image/jpeg': (h) => h.length >= 3 && h[0] === 0xff && h[1] === 0xd8 && h[2] === 0xff,
  'image/png': (h) => h.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  'image/webp': (h) => h.subarray(0, 4).toString('latin1') === 'RIFF' && h.subarray(8, 12).toString('latin1') === 'WEBP',
  'application/pdf': (h) => h.subarray(0, 5).toString('latin1') === '%PDF-',
  'application/dicom': (h) => h.subarray(128, 132).toString('latin1') === 'DICM',
};

/** Media types whose content this module can recognise. */
export const SNIFFABLE_TYPES = Object.keys(SIGNATURES);

/** True when the first bytes of a file are what `contentType` promises. */
export function matchesSignature(contentType: string, head: Buffer): boolean {
  return SIGNATURES[contentType]?.(head) ?? false;
}

export class UploadTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The file is larger than ${limit} bytes`);
    this.name = 'UploadTooLargeError';
  }
}

export class ContentMismatchError extends Error {
  constructor(readonly declared: string) {
    super(`The file's content is not ${declared}`);
    this.name = 'ContentMismatchError';
  }
}

/**
 * Passes a file through on its way to storage while counting its bytes (failing the stream past
 * `maxBytes`), hashing it (SHA-256), and checking its first bytes against the declared type (no
 * byte goes downstream before that check has passed).
 */
export class UploadGuard extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private head: Buffer[] = [];
  private headLength = 0;
  private checked = false;
  bytes = 0;

  constructor(
    private readonly contentType: string,
    private readonly maxBytes: number,
  ) {
    super();
  }

  /** Hex SHA-256 of everything that passed; call once the stream has ended. */
  digest(): string {
    return this.hash.digest('hex');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) return callback(new UploadTooLargeError(this.maxBytes));
    this.hash.update(chunk);
    if (this.checked) return callback(null, chunk);
    this.head.push(chunk);
    this.headLength += chunk.length;
    if (this.headLength < SNIFF_BYTES) return callback();
    this.release(callback);
  }

  override _flush(callback: TransformCallback): void {
    if (this.checked) return callback();
    this.release(callback);
  }

  private release(callback: TransformCallback): void {
    const buffered = Buffer.concat(this.head);
    this.head = [];
    if (!matchesSignature(this.contentType, buffered)) return callback(new ContentMismatchError(this.contentType));
    this.checked = true;
    callback(null, buffered);
  }
}
