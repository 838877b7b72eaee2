import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash } from 'node:crypto';
import { ContentMismatchError, matchesSignature, UploadGuard, UploadTooLargeError } from './file-type';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(300, 7)]);
const EXE = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(300, 1)]);

async function run(guard: UploadGuard, chunks: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  const sink = new Writable({ write: (c: Buffer, _e, cb) => (out.push(c), cb()) });
  await pipeline(Readable.from(chunks), guard, sink);
  return Buffer.concat(out);
}

describe('matchesSignature', () => {
  it('recognises each accepted type by its first bytes', () => {
    expect(matchesSignature('image/png', PNG)).toBe(true);
    expect(matchesSignature('image/jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBe(true);
    expect(matchesSignature('image/webp', Buffer.from('RIFF\0\0\0\0WEBPVP8 '))).toBe(true);
    expect(matchesSignature('application/pdf', Buffer.from('%PDF-1.7\n'))).toBe(true);
    expect(matchesSignature('application/dicom', Buffer.concat([Buffer.alloc(128), Buffer.from('DICM')]))).toBe(true);
  });

  it('refuses content that is not what the type says, and unknown types', () => {
    expect(matchesSignature('image/png', EXE)).toBe(false);
    expect(matchesSignature('application/pdf', PNG)).toBe(false);
    expect(matchesSignature('application/x-msdownload', EXE)).toBe(false);
  });
});

describe('UploadGuard', () => {
  it('passes the bytes through unchanged, counted and hashed, across small chunks', async () => {
    const guard = new UploadGuard('image/png', 10_000);
    const chunks = [PNG.subarray(0, 3), PNG.subarray(3, 100), PNG.subarray(100)];
    const out = await run(guard, chunks);
    expect(out.equals(PNG)).toBe(true);
    expect(guard.bytes).toBe(PNG.length);
    expect(guard.digest()).toBe(createHash('sha256').update(PNG).digest('hex'));
  });

  it('fails past the size limit', async () => {
    await expect(run(new UploadGuard('image/png', 200), [PNG])).rejects.toBeInstanceOf(UploadTooLargeError);
  });

  it('fails on a content mismatch before any byte goes downstream', async () => {
    const out: Buffer[] = [];
    const sink = new Writable({ write: (c: Buffer, _e, cb) => (out.push(c), cb()) });
    await expect(pipeline(Readable.from([EXE]), new UploadGuard('image/png', 10_000), sink)).rejects.toBeInstanceOf(ContentMismatchError);
    expect(out).toEqual([]);
  });

  it('checks a file shorter than the sniffing window at its end', async () => {
    const tiny = Buffer.from('%PDF-1.4 tiny');
    expect((await run(new UploadGuard('application/pdf', 1_000), [tiny])).equals(tiny)).toBe(true);
    await expect(run(new UploadGuard('image/jpeg', 1_000), [tiny])).rejects.toBeInstanceOf(ContentMismatchError);
  });
});
