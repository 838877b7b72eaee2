import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Redis from 'ioredis';
import pino from 'pino';
import type { GatewayConfig } from './config';
import { sendError, sendJson } from './errors';
import { BodyTooLargeError, proxy } from './proxy';
import { createFailFastRedis } from './redis';
import { normalizeHost, RegionDirectory } from './regions';
import { OrgRegistry, RegistryUnavailableError } from './registry';
import { RateLimiter } from './rate-limit';
import { TokenVerifier } from './tokens';
import { Upstreams } from './upstreams';

export interface Gateway {
  server: Server;
  registry: OrgRegistry;
  regions: RegionDirectory;
  /** Starts listening; resolves with the port (useful with port 0). */
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The caller's request id when it is a sane token, else a new one. (The same rule as the apps'
 * request context; not imported from @medgenie/tenancy, whose NestJS and nestjs-cls imports would
 * switch on async hooks for the whole gateway process.)
 */
function requestIdFrom(header: unknown): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

function bearer(request: IncomingMessage): string | undefined {
  const h = request.headers.authorization;
  return typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7) : undefined;
}

function isInternal(url: string): boolean {
  return url === '/internal' || url.startsWith('/internal/') || url.startsWith('/internal?');
}

/**
 * The gateway (DESIGN.md §4): host or token -> org -> region -> proxy, with the rules in front:
 * internal paths never proxied; unknown org 404; region mismatch 421; suspended 403; token of
 * another org or region 403; per-org rate limit 429; a region that is down 503 at once.
 * Built on node:http and undici directly, with no framework in between: it is the hot path of
 * every request, and a proxy has no routes to match or bodies to parse.
 */
export async function createGateway(config: GatewayConfig): Promise<Gateway> {
  const redis: Redis | null = config.redisUrl ? createFailFastRedis(config.redisUrl) : null;
  const subscriber: Redis | null = config.redisUrl ? createFailFastRedis(config.redisUrl) : null;
  const regions = new RegionDirectory(config);
  const registry = new OrgRegistry(config, regions, redis);
  if (subscriber) registry.subscribe(subscriber);
  const tokens = new TokenVerifier(config);
  const limiter = new RateLimiter(config.rateLimit.rps, config.rateLimit.burst, redis);
  const upstreams = new Upstreams(config);
  const log = pino({ level: config.logLevel, base: { service: 'gateway' } });

  const forward = async (request: IncomingMessage, res: ServerResponse, id: string, target: string) => {
    const upstream = upstreams.get(target);
    if (!upstream) return sendError(res, id, 503, 'REGION_UNAVAILABLE', `No route to ${target}`);
    if (!upstream.healthy) return sendError(res, id, 503, 'REGION_UNAVAILABLE', `${target} is unavailable; retry shortly`, { 'retry-after': '1' });
    const length = Number(request.headers['content-length'] ?? 0);
    // The unread body is not drained: the connection is closed after the answer.
    if (length > config.bodyLimitBytes) return sendError(res, id, 413, 'PAYLOAD_TOO_LARGE', 'The request body is too large', { connection: 'close' });
    try {
      await proxy(request, res, { dispatcher: upstream.pool, requestId: id, bodyLimit: config.bodyLimitBytes });
      upstreams.succeeded(upstream);
    } catch (err) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof BodyTooLargeError || (err as { cause?: unknown }).cause instanceof BodyTooLargeError) {
        return sendError(res, id, 413, 'PAYLOAD_TOO_LARGE', 'The request body is too large', { connection: 'close' });
      }
      upstreams.failed(upstream);
      const timeout = /Timeout/.test((err as Error).name ?? '') || /UND_ERR_.*TIMEOUT/.test((err as { code?: string }).code ?? '');
      return sendError(res, id, timeout ? 504 : 503, 'REGION_UNAVAILABLE', `${target} did not answer`, { 'retry-after': '1' });
    }
  };

  const tooMany = (res: ServerResponse, id: string, retryAfterMs: number) => {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    sendError(res, id, 429, 'RATE_LIMITED', 'Too many requests for this organization', { 'retry-after': String(seconds) });
  };

  const route = async (request: IncomingMessage, res: ServerResponse, id: string): Promise<void> => {
    const url = request.url ?? '/';
    // The gateway's own liveness, on every host (never proxied).
    if (url === '/healthz' && (request.method === 'GET' || request.method === 'HEAD')) {
      return regions.ready
        ? sendJson(res, id, 200, { status: 'ok' })
        : sendError(res, id, 503, 'NOT_READY', 'The gateway has not loaded the region list yet');
    }
    if (isInternal(url)) return sendError(res, id, 404, 'NOT_FOUND', 'Not found');
    if (!regions.ready) return sendError(res, id, 503, 'NOT_READY', 'The gateway is starting; retry shortly', { 'retry-after': '1' });
    const host = normalizeHost(request.headers.host);
    const kind = regions.classify(host);

    if (kind.kind === 'console') return forward(request, res, id, 'control-plane');

    const token = bearer(request);
    const checked = token ? await tokens.check(token) : undefined;
    if (checked && !checked.ok) return sendError(res, id, 401, 'UNAUTHENTICATED', 'invalid token');
    const claims = checked?.ok ? checked.claims : undefined;

    if (kind.kind === 'api') {
      if (!claims?.org || !claims.region) return sendError(res, id, 401, 'UNAUTHENTICATED', 'api hosts need a bearer token of an organization');
      const decision = await limiter.take(claims.org);
      if (!decision.allowed) return tooMany(res, id, decision.retryAfterMs);
      return forward(request, res, id, claims.region);
    }

    let org;
    try {
      org = await registry.resolve(host);
    } catch (err) {
      if (err instanceof RegistryUnavailableError) return sendError(res, id, 503, 'REGISTRY_UNAVAILABLE', 'Cannot resolve this host right now', { 'retry-after': '1' });
      throw err;
    }
    if (!org) return sendError(res, id, 404, 'ORGANIZATION_NOT_FOUND', 'No organization answers to this host');
    if (kind.kind === 'org' && kind.regionId !== org.regionId) {
      return sendError(res, id, 421, 'MISDIRECTED_REQUEST', `This organization is served from its own region's domain, not ${host}`);
    }
    if (org.status === 'suspended' || org.status === 'deleting') return sendError(res, id, 403, 'ORGANIZATION_NOT_ACTIVE', `This organization is ${org.status}`);
    if (org.status === 'provisioning') return sendError(res, id, 503, 'ORGANIZATION_PROVISIONING', 'This organization is being set up', { 'retry-after': '2' });
    if (claims && (claims.org !== org.organizationId || claims.region !== org.regionId)) {
      return sendError(res, id, 403, 'TOKEN_ORGANIZATION_MISMATCH', 'This token belongs to another organization or region');
    }
    const decision = await limiter.take(org.organizationId);
    if (!decision.allowed) return tooMany(res, id, decision.retryAfterMs);
    return forward(request, res, id, org.regionId);
  };

  const server = createServer({ keepAliveTimeout: 72_000 }, (request, res) => {
    const id = requestIdFrom(request.headers['x-request-id']);
    route(request, res, id).catch((err) => {
      log.error({ err, requestId: id }, 'gateway error');
      sendError(res, id, 500, 'INTERNAL', 'An unexpected error occurred');
    });
  });
  // A request Node cannot parse (bad request line or headers, headers too large) gets a JSON 4xx.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const body = JSON.stringify({ statusCode: status, error: status === 431 ? 'Request Header Fields Too Large' : 'Bad Request', message: 'Malformed request', code: 'BAD_REQUEST' });
    socket.end(`HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });

  await regions.start();
  upstreams.start();
  return {
    server,
    registry,
    regions,
    listen: (port, host) =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve((server.address() as AddressInfo).port);
        });
      }),
    close: async () => {
      regions.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await upstreams.close();
      redis?.disconnect();
      subscriber?.disconnect();
    },
  };
}
