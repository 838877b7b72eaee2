import type { IncomingMessage } from 'node:http';
import { PassThrough, Readable } from 'node:stream';
import { ErrorCode } from './errors';

/** Something the client did to its own request body: answered (408, 413) or not (gone), never an upstream fault. */
export class ClientBodyError extends Error {
  constructor(
    readonly code: typeof ErrorCode.RequestTimeout | typeof ErrorCode.PayloadTooLarge | typeof ErrorCode.ClientClosedRequest,
    message: string,
  ) {
    super(message);
  }
}

export interface BodyOptions {
  /** The most a body may carry (the region's limit). */
  limit: number;
  /** Bodies up to this size are read whole before any upstream connection is used. */
  bufferBytes: number;
  /** A body that sends nothing for this long is cut off (408). */
  idleMs: number;
  /** After `graceMs`, a body must have come at this many bytes a second on average (408). */
  minBytesPerSecond: number;
  graceMs: number;
}

export type RequestBody =
  | { kind: 'none' }
  | { kind: 'buffer'; data: Buffer }
  | { kind: 'stream'; stream: Readable; watch: BodyWatch };

/** Whether the request carries a body at all (whatever its method: a GET may have one). */
export function hasBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  if (length !== undefined) return length !== '0';
  return request.headers['transfer-encoding'] !== undefined;
}

/**
 * Watches one request body as it arrives: its size against the limit, and its pace against the
 * idle timeout and minimum rate. The first violation (or the client going away) is kept in
 * `error`, so the caller can tell it apart from an upstream fault.
 */
export class BodyWatch {
  error?: ClientBodyError;
  bytes = 0;
  private started = Date.now();
  private lastData = this.started;
  /** While the upstream holds the body back (backpressure), the client is not to blame for the wait. */
  private pausedAt?: number;
  private timer?: NodeJS.Timeout;
  private readonly listeners: ((err: ClientBodyError) => void)[] = [];

  constructor(
    request: IncomingMessage,
    private readonly options: BodyOptions,
  ) {
    const checkEvery = Math.max(50, Math.min(1_000, Math.floor(options.idleMs / 4)));
    this.timer = setInterval(() => this.check(), checkEvery);
    this.timer.unref();
    request.once('close', () => {
      if (!request.complete) this.fail(new ClientBodyError(ErrorCode.ClientClosedRequest, 'The client went away before sending its whole body'));
      this.stop();
    });
  }

  onFail(listener: (err: ClientBodyError) => void): void {
    if (this.error) listener(this.error);
    else this.listeners.push(listener);
  }

  /** Counts a chunk; false (and the watch fails) when the body has gone over the limit. */
  count(chunk: Buffer): boolean {
    this.bytes += chunk.length;
    this.lastData = Date.now();
    if (this.bytes > this.options.limit) {
      this.fail(new ClientBodyError(ErrorCode.PayloadTooLarge, 'The request body is too large'));
      return false;
    }
    return true;
  }

  pause(): void {
    this.pausedAt ??= Date.now();
  }

  resume(): void {
    if (this.pausedAt === undefined) return;
    const held = Date.now() - this.pausedAt;
    this.started += held;
    this.lastData += held;
    this.pausedAt = undefined;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    if (this.pausedAt !== undefined) return;
    const now = Date.now();
    if (now - this.lastData >= this.options.idleMs) {
      return this.fail(new ClientBodyError(ErrorCode.RequestTimeout, 'The request body stopped arriving'));
    }
    const elapsed = now - this.started;
    if (elapsed >= this.options.graceMs && (this.bytes * 1000) / elapsed < this.options.minBytesPerSecond) {
      this.fail(new ClientBodyError(ErrorCode.RequestTimeout, 'The request body is arriving too slowly'));
    }
  }

  private fail(err: ClientBodyError): void {
    if (this.error) return;
    this.error = err;
    this.stop();
    for (const l of this.listeners.splice(0)) l(err);
  }
}

/**
 * Reads a request body: bodies up to `bufferBytes` are read whole (so a client that trickles a
 * small body holds no upstream connection and no slot while it does), larger ones are handed on
 * as a stream that starts with what was read. Either way the body is watched for size and pace
 * until it ends. Rejects with a ClientBodyError when the client breaks the rules or goes away.
 */
export function readBody(request: IncomingMessage, options: BodyOptions): Promise<RequestBody> {
  if (!hasBody(request)) return Promise.resolve({ kind: 'none' });
  const watch = new BodyWatch(request, options);
  return new Promise<RequestBody>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let buffered = 0;
    let settled = false;
    const cleanup = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      if (!watch.count(chunk)) return;
      chunks.push(chunk);
      buffered += chunk.length;
      if (buffered > options.bufferBytes) {
        // Too large to hold: stream it, starting with what is buffered.
        cleanup();
        request.pause();
        settled = true;
        resolve({ kind: 'stream', stream: streamFrom(request, chunks, watch), watch });
      }
    };
    const onEnd = () => {
      cleanup();
      watch.stop();
      if (settled) return;
      settled = true;
      resolve({ kind: 'buffer', data: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, buffered) });
    };
    const onError = () => undefined; // the 'close' listener of the watch reports the abort
    watch.onFail((err) => {
      cleanup();
      if (settled) return;
      settled = true;
      reject(err);
    });
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
  });
}

/** The body as a stream: the chunks already read, then the rest, counted and watched; a watch failure ends it with that error. */
function streamFrom(request: IncomingMessage, head: Buffer[], watch: BodyWatch): Readable {
  const out = new PassThrough();
  for (const chunk of head) out.write(chunk);
  out.on('error', () => undefined); // the consumer (undici) sees it through its own listener
  watch.onFail((err) => out.destroy(err));
  request.on('error', () => undefined);
  request.on('data', (chunk: Buffer) => {
    if (out.destroyed) return;
    if (watch.count(chunk) && !out.write(chunk)) {
      request.pause();
      watch.pause();
      out.once('drain', () => {
        watch.resume();
        request.resume();
      });
    }
  });
  request.on('end', () => {
    watch.stop();
    out.end();
  });
  request.resume();
  return out;
}
