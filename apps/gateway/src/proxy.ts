import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline, Transform, TransformCallback } from 'node:stream';
import type { Dispatcher } from 'undici';

/** Hop-by-hop headers (RFC 9110 §7.6.1): they describe one connection and are never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
]);

function dropHopByHop(headers: Record<string, string | string[] | undefined>): Record<string, string | string[]> {
  const named = String(headers.connection ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined || HOP_BY_HOP.has(k) || named.includes(k)) continue;
    out[k] = v;
  }
  return out;
}

export class BodyTooLargeError extends Error {}

/** Counts bytes as the body streams through and stops it past the limit (bodies are never buffered). */
class LimitStream extends Transform {
  private seen = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) return done(new BodyTooLargeError('request body too large'));
    done(null, chunk);
  }
}

export interface ProxyOptions {
  dispatcher: Dispatcher;
  requestId: string;
  bodyLimit: number;
  extraHeaders?: Record<string, string>;
}

/** Streams the request to the upstream and the response back, with X-Forwarded-* and the request id. */
export async function proxy(request: IncomingMessage, res: ServerResponse, options: ProxyOptions): Promise<void> {
  const headers = dropHopByHop(request.headers);
  const forwardedFor = request.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = forwardedFor ? `${forwardedFor}, ${request.socket.remoteAddress}` : (request.socket.remoteAddress ?? '');
  headers['x-forwarded-proto'] = (request.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  headers['x-forwarded-host'] = request.headers.host ?? '';
  headers['x-request-id'] = options.requestId;
  Object.assign(headers, options.extraHeaders ?? {});
  const length = request.headers['content-length'];
  if (length !== undefined) headers['content-length'] = length;

  const hasBody = request.method !== 'GET' && request.method !== 'HEAD' && (length !== undefined ? length !== '0' : request.headers['transfer-encoding'] !== undefined);
  let body: LimitStream | undefined;
  if (hasBody) {
    body = new LimitStream(options.bodyLimit);
    // pipeline, not pipe: a client that aborts mid-body ends the upstream request too, without an unhandled error.
    pipeline(request, body, () => undefined);
  }

  const upstream = await options.dispatcher.request({
    method: request.method as Dispatcher.HttpMethod,
    path: request.url ?? '/',
    headers,
    body,
  });
  const responseHeaders = dropHopByHop(upstream.headers as Record<string, string | string[]>);
  const upstreamLength = upstream.headers['content-length'];
  if (upstreamLength !== undefined) responseHeaders['content-length'] = upstreamLength as string;
  responseHeaders['x-request-id'] = options.requestId;
  res.writeHead(upstream.statusCode, responseHeaders);
  // Streamed as it arrives. Plain pipe with two listeners rather than stream.pipeline, which
  // makes an AbortController (and its DOMException) for every response: a client that goes away
  // stops the upstream body, an upstream that fails mid-body cuts the client's response.
  const source = upstream.body;
  source.once('error', () => res.destroy());
  res.once('close', () => {
    if (!res.writableFinished) source.destroy();
  });
  source.pipe(res);
}
