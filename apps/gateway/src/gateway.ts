import { randomUUID } from 'node:crypto';
import Fastify, { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Redis from 'ioredis';
import type { GatewayConfig } from './config';
import { sendError } from './errors';
import { BodyTooLargeError, proxy } from './proxy';
import { createFailFastRedis } from './redis';
import { normalizeHost, RegionDirectory } from './regions';
import { OrgRegistry, RegistryUnavailableError } from './registry';
import { RateLimiter } from './rate-limit';
import { TokenVerifier } from './tokens';
import { Upstreams } from './upstreams';

export interface Gateway {
  server: FastifyInstance;
  registry: OrgRegistry;
  regions: RegionDirectory;
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

function bearer(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  return typeof h === 'string' && h.startsWith('Bearer ') ? h.slice(7) : undefined;
}

/**
 * The gateway (DESIGN.md §4): host or token -> org -> region -> proxy, with the rules in front:
 * internal paths never proxied; unknown org 404; region mismatch 421; suspended 403; token of
 * another org or region 403; per-org rate limit 429; a region that is down 503 at once.
 * Built on Fastify and undici directly: it is the hot path of every request.
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

  const server = Fastify({
    logger: config.logLevel === 'silent' ? false : { level: config.logLevel },
    trustProxy: false,
    genReqId: (req) => requestIdFrom(req.headers['x-request-id']),
    requestIdHeader: false,
    bodyLimit: config.bodyLimitBytes,
  });
  // Bodies are not parsed here: they stream to the upstream as they arrive.
  server.removeAllContentTypeParsers();
  server.addContentTypeParser('*', (_req, _payload, done) => done(null));

  server.get('/healthz', async (_req, reply) =>
    regions.ready ? reply.send({ status: 'ok' }) : sendError(reply, 503, 'NOT_READY', 'The gateway has not loaded the region list yet'),
  );

  const forward = async (request: FastifyRequest, reply: FastifyReply, target: string, extraHeaders?: Record<string, string>) => {
    const upstream = upstreams.get(target);
    if (!upstream) return sendError(reply, 503, 'REGION_UNAVAILABLE', `No route to ${target}`);
    if (!upstream.healthy) return sendError(reply, 503, 'REGION_UNAVAILABLE', `${target} is unavailable; retry shortly`, { 'retry-after': '1' });
    const length = Number(request.headers['content-length'] ?? 0);
    // The unread body is not drained: the connection is closed after the answer.
    if (length > config.bodyLimitBytes) return sendError(reply, 413, 'PAYLOAD_TOO_LARGE', 'The request body is too large', { connection: 'close' });
    try {
      await proxy(request, reply, { dispatcher: upstream.pool, requestId: request.id, bodyLimit: config.bodyLimitBytes, extraHeaders });
      upstreams.succeeded(upstream);
    } catch (err) {
      if (reply.sent) return reply;
      if (err instanceof BodyTooLargeError || (err as { cause?: unknown }).cause instanceof BodyTooLargeError) {
        return sendError(reply, 413, 'PAYLOAD_TOO_LARGE', 'The request body is too large', { connection: 'close' });
      }
      upstreams.failed(upstream);
      const timeout = /Timeout/.test((err as Error).name ?? '') || /UND_ERR_.*TIMEOUT/.test((err as { code?: string }).code ?? '');
      return sendError(reply, timeout ? 504 : 503, 'REGION_UNAVAILABLE', `${target} did not answer`, { 'retry-after': '1' });
    }
    return reply;
  };

  server.all('/*', async (request, reply) => {
    if (request.url === '/internal' || request.url.startsWith('/internal/') || request.url.startsWith('/internal?')) {
      return sendError(reply, 404, 'NOT_FOUND', 'Not found');
    }
    if (!regions.ready) return sendError(reply, 503, 'NOT_READY', 'The gateway is starting; retry shortly', { 'retry-after': '1' });
    const host = normalizeHost(request.headers.host);
    const kind = regions.classify(host);

    if (kind.kind === 'console') return forward(request, reply, 'control-plane');

    const token = bearer(request);
    const checked = token ? await tokens.check(token) : undefined;
    if (checked && !checked.ok) return sendError(reply, 401, 'UNAUTHENTICATED', 'invalid token');
    const claims = checked?.ok ? checked.claims : undefined;

    if (kind.kind === 'api') {
      if (!claims?.org || !claims.region) return sendError(reply, 401, 'UNAUTHENTICATED', 'api hosts need a bearer token of an organization');
      const decision = await limiter.take(claims.org);
      if (!decision.allowed) return tooMany(reply, decision.retryAfterMs);
      return forward(request, reply, claims.region);
    }

    let org;
    try {
      org = await registry.resolve(host);
    } catch (err) {
      if (err instanceof RegistryUnavailableError) return sendError(reply, 503, 'REGISTRY_UNAVAILABLE', 'Cannot resolve this host right now', { 'retry-after': '1' });
      throw err;
    }
    if (!org) return sendError(reply, 404, 'ORGANIZATION_NOT_FOUND', 'No organization answers to this host');
    if (kind.kind === 'org' && kind.regionId !== org.regionId) {
      return sendError(reply, 421, 'MISDIRECTED_REQUEST', `This organization is served from its own region's domain, not ${host}`);
    }
    if (org.status === 'suspended' || org.status === 'deleting') return sendError(reply, 403, 'ORGANIZATION_NOT_ACTIVE', `This organization is ${org.status}`);
    if (org.status === 'provisioning') return sendError(reply, 503, 'ORGANIZATION_PROVISIONING', 'This organization is being set up', { 'retry-after': '2' });
    if (claims && (claims.org !== org.organizationId || claims.region !== org.regionId)) {
      return sendError(reply, 403, 'TOKEN_ORGANIZATION_MISMATCH', 'This token belongs to another organization or region');
    }
    const decision = await limiter.take(org.organizationId);
    if (!decision.allowed) return tooMany(reply, decision.retryAfterMs);
    return forward(request, reply, org.regionId);
  });

  server.setErrorHandler((err, _request, reply) => {
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) return sendError(reply, status, 'BAD_REQUEST', (err as Error).message);
    server.log.error({ err }, 'gateway error');
    return sendError(reply, 500, 'INTERNAL', 'An unexpected error occurred');
  });

  await regions.start();
  upstreams.start();
  await server.ready();
  return {
    server,
    registry,
    regions,
    close: async () => {
      regions.stop();
      await server.close();
      await upstreams.close();
      redis?.disconnect();
      subscriber?.disconnect();
    },
  };
}

function tooMany(reply: FastifyReply, retryAfterMs: number): FastifyReply {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return sendError(reply, 429, 'RATE_LIMITED', 'Too many requests for this organization', { 'retry-after': String(seconds) });
}
