import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { RequestBody } from './body';

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) describe one connection and are never forwarded; `expect`
 * is answered by the gateway itself (it sends the 100 Continue), and the framing headers are set
 * anew for the body as the gateway sends it.
 */
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
  'expect',
  'http2-settings',
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

export interface ProxyOptions {
  dispatcher: Dispatcher;
  requestId: string;
  /** The normalized path and query: what the gateway checked is what the upstream routes. */
  path: string;
  host: string;
  body: RequestBody;
  /** Headers the gateway adds to the upstream's answer (e.g. X-MedGenie-Read-Only). */
  responseHeaders?: Record<string, string>;
  /** Called once when the exchange is over (answered, failed or abandoned): gives back its slots. */
  done: () => void;
}

/** Streams the request to the upstream and the response back, with X-Forwarded-* and the request id. */
export async function proxy(request: IncomingMessage, res: ServerResponse, options: ProxyOptions): Promise<void> {
  const headers = dropHopByHop(request.headers);
  const forwardedFor = request.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = forwardedFor ? `${forwardedFor}, ${request.socket.remoteAddress}` : (request.socket.remoteAddress ?? '');
  headers['x-forwarded-proto'] = (request.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  headers['x-forwarded-host'] = options.host;
  headers['x-request-id'] = options.requestId;

  const { body } = options;
  let payload: Buffer | IncomingMessage | NodeJS.ReadableStream | undefined;
  if (body.kind === 'buffer') {
    payload = body.data;
    headers['content-length'] = String(body.data.length);
  } else if (body.kind === 'stream') {
    payload = body.stream;
    const length = request.headers['content-length'];
    if (length !== undefined) headers['content-length'] = length;
  }

  let upstream: Dispatcher.ResponseData;
  try {
    upstream = await options.dispatcher.request({
      method: request.method as Dispatcher.HttpMethod,
      path: options.path,
      headers,
      body: payload as Dispatcher.DispatchOptions['body'],
    });
  } catch (err) {
    options.done();
    throw err;
  }
  const responseHeaders = dropHopByHop(upstream.headers as Record<string, string | string[]>);
  const upstreamLength = upstream.headers['content-length'];
  if (upstreamLength !== undefined) responseHeaders['content-length'] = upstreamLength as string;
  if (options.responseHeaders) Object.assign(responseHeaders, options.responseHeaders);
  responseHeaders['x-request-id'] = options.requestId;
  res.writeHead(upstream.statusCode, responseHeaders);
  // Streamed as it arrives. Plain pipe with two listeners rather than stream.pipeline, which
  // makes an AbortController (and its DOMException) for every response: a client that goes away
  // stops the upstream body, an upstream that fails mid-body cuts the client's response.
  const source = upstream.body;
  source.once('error', () => res.destroy());
  source.once('close', options.done);
  res.once('close', () => {
    if (!res.writableFinished) source.destroy();
  });
  source.pipe(res);
}
