import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Redis from 'ioredis';
import pino from 'pino';
import type { GatewayConfig } from './config';
import { errorBody, errorStatus, ErrorCode, sendError, sendJson } from './errors';
import { ClientBodyError, hasBody, readBody, RequestBody } from './body';
import { isInternalPath, normalizeTarget } from './paths';
import type { FlagContext } from '@medgenie/flags';
import { GatewayFlags } from './flags';
import { proxy } from './proxy';
import { createFailFastRedis } from './redis';
import { EndedSessions } from './ended-sessions';
import { GatewayViewReporter } from './gateway-view';
import { normalizeHost, RegionDirectory } from './regions';
import { OrgEntry, OrgRegistry, RegistryUnavailableError } from './registry';
import { RateLimiter } from './rate-limit';
import { KeyedSlots, Release } from '@medgenie/limits';
import { TokenCheck, TokenVerifier } from './tokens';
import { isTimeout, isUpstreamFault, neverSent, Upstreams } from './upstreams';

export interface Gateway {
  server: Server;
  registry: OrgRegistry;
  regions: RegionDirectory;
  /** The gateway's feature flags (null without FLAGS_URL: none evaluated). */
  flags: GatewayFlags | null;
  /** Under which id it reports its view of the regions to the control plane. */
  gatewayId: string;
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

/** The client's address: the socket's, or with trusted proxies in front, the entry they added to X-Forwarded-For. */
function clientAddress(request: IncomingMessage, trustedHops: number): string {
  const socket = request.socket.remoteAddress ?? '';
  if (trustedHops === 0) return socket;
  const chain = [
    ...String(request.headers['x-forwarded-for'] ?? '')
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean),
    socket,
  ];
  return chain[Math.max(0, chain.length - 1 - trustedHops)];
}

const NO_BODY: RequestBody = { kind: 'none' };

/** Methods a client may send again without asking whether the first one took effect (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/** Methods that change nothing: what an org under read_only_maintenance may still send. */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Who a proxied request is charged to: its org's authenticated budget, or the org's anonymous one. */
interface Tenant {
  orgId: string;
  anonymous: boolean;
  /** read_only_maintenance is on for the org: the answer says so (X-MedGenie-Read-Only). */
  readOnly: boolean;
}

const READ_ONLY_HEADERS = { 'x-medgenie-read-only': 'true' };

/**
 * The gateway (DESIGN.md §4): host or token -> org -> region -> proxy, with the rules in front:
 * internal paths never proxied (decided on the normalized path, which is what is forwarded);
 * unknown org 404; region mismatch 421; suspended 403; token of another org or region 403;
 * per-org rate limit 429 (anonymous callers have their own budget per address); a region that
 * is down 503 at once; an org under read_only_maintenance (a flag, evaluated with unleash-client)
 * keeps its reads, marked X-MedGenie-Read-Only, and gets 503 MAINTENANCE for its writes.
 *
 * No organization can take another offline through it: bodies are read (small ones whole)
 * before any upstream connection is taken, slow or oversized ones are cut off (408, 413); each
 * org has a cap on its concurrent upstream requests, and each region's connections are handed
 * out with a bounded wait (503 with Retry-After past either); the breaker counts upstream
 * faults only, never what a client did to its own request; the health probe has its own
 * connection.
 *
 * Built on node:http and undici directly, with no framework in between: it is the hot path of
 * every request, and a proxy has no routes to match or bodies to parse.
 */
export async function createGateway(config: GatewayConfig): Promise<Gateway> {
  const redis: Redis | null = config.redisUrl ? createFailFastRedis(config.redisUrl) : null;
  const subscriber: Redis | null = config.redisUrl ? createFailFastRedis(config.redisUrl) : null;
  const regions = new RegionDirectory(config);
  const registry = new OrgRegistry(config, regions, redis);
  if (subscriber) registry.subscribe(subscriber);
  const endedSessions = new EndedSessions();
  if (subscriber && redis) endedSessions.subscribe(subscriber, redis);
  const tokens = new TokenVerifier(config, endedSessions);
  const limiter = new RateLimiter(config.rateLimit.rps, config.rateLimit.burst, redis);
  const anonymousLimiter = new RateLimiter(config.anonRateLimit.rps, config.anonRateLimit.burst, redis, 'mg:rl:anon:');
  const orgSlots = new KeyedSlots(config.concurrency.perOrg, config.concurrency.queueTimeoutMs, config.concurrency.perOrg * 4);
  const anonymousSlots = new KeyedSlots(config.concurrency.anonymous, config.concurrency.queueTimeoutMs, config.concurrency.anonymous * 4);
  const upstreams = new Upstreams(config);
  const viewReporter = new GatewayViewReporter(config);
  upstreams.onProbed = (regions) => void viewReporter.report(regions);
  const log = pino({ level: config.logLevel, base: { service: 'gateway' } });
  const flags = await GatewayFlags.start(config, log);

  /** A client error answered on a connection that is closed after it (the unread body is never drained). */
  const refuse = (res: ServerResponse, id: string, code: ErrorCode, message: string) => sendError(res, id, code, message, { headers: { connection: 'close' } });

  const answerClientBodyError = (res: ServerResponse, id: string, err: ClientBodyError) => {
    if (err.code === ErrorCode.ClientClosedRequest) return void res.destroy(); // nobody is listening
    refuse(res, id, err.code, err.message);
  };

  const forward = async (request: IncomingMessage, res: ServerResponse, id: string, target: string, path: string, host: string, tenant?: Tenant) => {
    const upstream = upstreams.get(target);
    if (!upstream) return sendError(res, id, ErrorCode.RegionUnavailable, `No route to ${target}`);
    if (!upstream.healthy) return sendError(res, id, ErrorCode.RegionUnavailable, `${target} is unavailable; retry shortly`, { headers: { 'retry-after': '1' } });
    const length = Number(request.headers['content-length'] ?? 0);
    if (length > config.bodyLimitBytes) return refuse(res, id, ErrorCode.PayloadTooLarge, 'The request body is too large');

    // Upload negotiation: every rule has passed, so the client may send its body now.
    if (request.headers.expect !== undefined) res.writeContinue();
    let body: RequestBody = NO_BODY;
    if (hasBody(request)) {
      try {
        body = await readBody(request, config.client.body);
      } catch (err) {
        if (err instanceof ClientBodyError) return answerClientBodyError(res, id, err);
        throw err;
      }
    }
    const abandon = (code: ErrorCode, message: string) => {
      if (body.kind === 'stream') body.stream.destroy();
      sendError(res, id, code, message, { headers: { 'retry-after': '1', ...(body.kind === 'stream' ? { connection: 'close' } : {}) } });
    };

    let releaseOrg: Release | null = null;
    if (tenant) {
      const slots = tenant.anonymous ? anonymousSlots : orgSlots;
      const got = slots.acquire(tenant.orgId);
      releaseOrg = typeof got === 'function' ? got : await got;
      if (!releaseOrg) return abandon(ErrorCode.OrganizationBusy, 'This organization has too many requests in progress; retry shortly');
    }
    const gotConnection = upstream.slots.acquire();
    const releaseConnection = typeof gotConnection === 'function' ? gotConnection : await gotConnection;
    if (!releaseConnection) {
      releaseOrg?.();
      return abandon(ErrorCode.RegionBusy, `${target} has no free connection; retry shortly`);
    }
    const done = () => {
      releaseConnection();
      releaseOrg?.();
    };

    try {
      await proxy(request, res, { dispatcher: upstream.pool, requestId: id, path, host, body, done, responseHeaders: tenant?.readOnly ? READ_ONLY_HEADERS : undefined });
      upstreams.succeeded(upstream);
    } catch (err) {
      if (body.kind === 'stream' && body.watch.error) return answerClientBodyError(res, id, body.watch.error);
      const clientGone = res.destroyed || (body.kind !== 'none' && !request.complete);
      const fault = isUpstreamFault(err);
      // A connection cut while a streamed body was still going out may be the region refusing
      // that body (an answer sent early, then the connection closed): not counted against it.
      const bodyUnsent = body.kind === 'stream' && !body.stream.readableEnded && !neverSent(err);
      if (fault && !clientGone && !bodyUnsent) upstreams.failed(upstream);
      if (clientGone || res.headersSent) return void res.destroy();
      if (!fault) {
        // undici refused to send what the client sent (a header or framing it does not accept):
        // the client's doing, not the region's.
        log.warn({ err, requestId: id }, 'request could not be forwarded');
        return refuse(res, id, ErrorCode.BadRequest, 'This request cannot be forwarded');
      }
      const refinement = isTimeout(err) && !neverSent(err) ? 'upstreamTimedOut' : undefined;
      // A write that may have been applied is never answered "retry": only when it never left,
      // when repeating it is harmless, or when it carries an Idempotency-Key the region honours.
      if (neverSent(err) || IDEMPOTENT.has(request.method ?? '') || request.headers['idempotency-key'] !== undefined) {
        return sendError(res, id, ErrorCode.RegionUnavailable, `${target} did not answer`, { headers: { 'retry-after': '1' }, refinement });
      }
      return sendError(
        res,
        id,
        ErrorCode.UpstreamOutcomeUnknown,
        `${target} did not confirm this request, which may have been applied: check before sending it again, or send it with an Idempotency-Key header so a retry is safe`,
        { refinement },
      );
    }
  };

  /** Whether read_only_maintenance holds for this org (never, without flags). */
  const readOnly = (context: FlagContext): boolean => flags !== null && flags.readOnly(context);

  /**
   * A write to an org under read_only_maintenance: 503 with Retry-After, before anything reaches
   * the region (its body unread, so the connection closes after the answer).
   */
  const refusedForMaintenance = (request: IncomingMessage, res: ServerResponse, id: string, tenant: Tenant): boolean => {
    if (!tenant.readOnly || READS.has(request.method ?? '')) return false;
    const headers: Record<string, string> = { 'retry-after': String(config.flags.maintenanceRetryAfterSeconds), ...READ_ONLY_HEADERS };
    if (hasBody(request)) headers.connection = 'close';
    sendError(res, id, ErrorCode.Maintenance, 'This organization is read-only during maintenance: records can be read, not changed; retry later', { headers });
    return true;
  };

  const tooMany = (res: ServerResponse, id: string, retryAfterMs: number, message = 'Too many requests for this organization') => {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    sendError(res, id, ErrorCode.RateLimited, message, { headers: { 'retry-after': String(seconds) } });
  };

  /**
   * 421 for an org host under another region's domain: names the host the org answers to under
   * its own region's domain (local or production, as the request was), in the message, in the
   * body's `location`, and as a scheme-relative `Location` (same scheme, port and path) a client
   * can follow. Never proxied: the region is chosen by the org, and a host of the wrong region
   * is a link that must be corrected, not served.
   */
  const misdirected = (res: ServerResponse, id: string, org: OrgEntry, host: string, rawHost: string, forwardPath: string) => {
    const home = regions.homeHost(org.slug, org.regionId, host);
    if (!home) return sendError(res, id, ErrorCode.MisdirectedRequest, `This organization is served from its own region's domain, not ${host}`);
    const port = /:\d+$/.exec(rawHost.replace(/\.$/, ''))?.[0] ?? '';
    const location = `//${home}${port}${forwardPath}`;
    const headers: Record<string, string> = /^[\x21-\x7e]+$/.test(location) ? { location } : {}; // never a header Node would refuse
    return sendError(res, id, ErrorCode.MisdirectedRequest, `This organization is served at ${home}, not ${host}`, { headers, details: { location: home } });
  };

  const route = async (request: IncomingMessage, res: ServerResponse, id: string): Promise<void> => {
    const target = normalizeTarget(request.url ?? '/');
    if (!target) return refuse(res, id, ErrorCode.BadRequest, 'Malformed request target');
    const { path } = target;
    // The gateway's own liveness, on every host (never proxied).
    if (path === '/healthz' && (request.method === 'GET' || request.method === 'HEAD')) {
      return regions.ready
        ? sendJson(res, id, 200, { status: 'ok' })
        : sendError(res, id, ErrorCode.NotReady, 'The gateway has not loaded the region list yet');
    }
    if (isInternalPath(path)) return sendError(res, id, ErrorCode.NotFound, 'Not found');
    if (!regions.ready) return sendError(res, id, ErrorCode.NotReady, 'The gateway is starting; retry shortly', { headers: { 'retry-after': '1' } });
    const rawHost = target.host ?? request.headers.host ?? '';
    const host = normalizeHost(rawHost);
    const kind = regions.classify(host);
    const forwardPath = path + target.query;

    if (kind.kind === 'console') return forward(request, res, id, 'control-plane', forwardPath, rawHost);

    const address = clientAddress(request, config.trustProxyHops);
    const token = bearer(request);
    const checked = token ? await tokens.check(token) : undefined;
    const claims = checked?.ok ? checked.claims : undefined;

    /** A request with no valid token: charged to the anonymous budget of its address, so it cannot drain the org's. */
    const anonymousAllowed = async (scope: string): Promise<boolean> => {
      const decision = await anonymousLimiter.take(`${scope}:${address}`);
      if (!decision.allowed) tooMany(res, id, decision.retryAfterMs, 'Too many requests without a valid token from this address');
      return decision.allowed;
    };

    if (kind.kind === 'api') {
      if (!claims?.org || !claims.region) {
        if (await anonymousAllowed('api')) sendError(res, id, ErrorCode.Unauthenticated, tokenRefusal(checked, 'api hosts need a bearer token of an organization'));
        return;
      }
      const decision = await limiter.take(claims.org);
      if (!decision.allowed) return tooMany(res, id, decision.retryAfterMs);
      // No registry entry on an api host: the token's org and region, without a plan.
      const tenant = { orgId: claims.org, anonymous: false, readOnly: readOnly({ userId: claims.sub, regionId: claims.region, orgId: claims.org }) };
      if (refusedForMaintenance(request, res, id, tenant)) return;
      return forward(request, res, id, claims.region, forwardPath, rawHost, tenant);
    }

    let org;
    try {
      org = await registry.resolve(host);
    } catch (err) {
      if (err instanceof RegistryUnavailableError) {
        return sendError(res, id, ErrorCode.RegistryUnavailable, 'Cannot resolve this host right now', { headers: { 'retry-after': '1' } });
      }
      throw err;
    }
    if (!org) return sendError(res, id, ErrorCode.OrganizationNotFound, 'No organization answers to this host');
    if (kind.kind === 'org' && kind.regionId !== org.regionId) return misdirected(res, id, org, host, rawHost, forwardPath);
    if (org.status === 'suspended' || org.status === 'deleting') return sendError(res, id, ErrorCode.OrganizationNotActive, `This organization is ${org.status}`);
    if (org.status === 'provisioning') {
      return sendError(res, id, ErrorCode.OrganizationProvisioning, 'This organization is being set up', { headers: { 'retry-after': '2' } });
    }
    if (checked && !checked.ok) {
      if (await anonymousAllowed(org.organizationId)) sendError(res, id, ErrorCode.Unauthenticated, tokenRefusal(checked, 'invalid token'));
      return;
    }
    if (claims && (claims.org !== org.organizationId || claims.region !== org.regionId)) {
      return sendError(res, id, ErrorCode.TokenOrganizationMismatch, 'This token belongs to another organization or region');
    }
    const maintenance = readOnly({ userId: claims?.sub, regionId: org.regionId, orgId: org.organizationId, plan: org.plan });
    if (!claims) {
      if (!(await anonymousAllowed(org.organizationId))) return;
      const tenant = { orgId: org.organizationId, anonymous: true, readOnly: maintenance };
      if (refusedForMaintenance(request, res, id, tenant)) return;
      return forward(request, res, id, org.regionId, forwardPath, rawHost, tenant);
    }
    const decision = await limiter.take(org.organizationId);
    if (!decision.allowed) return tooMany(res, id, decision.retryAfterMs);
    const tenant = { orgId: org.organizationId, anonymous: false, readOnly: maintenance };
    if (refusedForMaintenance(request, res, id, tenant)) return;
    return forward(request, res, id, org.regionId, forwardPath, rawHost, tenant);
  };

  const handle = (request: IncomingMessage, res: ServerResponse) => {
    const id = requestIdFrom(request.headers['x-request-id']);
    route(request, res, id).catch((err) => {
      log.error({ err, requestId: id }, 'gateway error');
      sendError(res, id, ErrorCode.Internal, 'An unexpected error occurred');
    });
  };
  const server = createServer(
    {
      keepAliveTimeout: 72_000,
      // Slow clients: headers and the whole request have deadlines (Node answers 408); the body's
      // pace is watched as it is read (body.ts).
      headersTimeout: config.client.headersTimeoutMs,
      requestTimeout: config.client.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, config.client.headersTimeoutMs),
    },
    handle,
  );
  // `Expect: 100-continue` comes here instead of 'request': the rules decide before the client
  // sends its body (forward() sends the 100 Continue once they pass).
  server.on('checkContinue', handle);
  // A request Node cannot parse (bad request line or headers, headers too large) gets a JSON 4xx.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return socket.destroy();
    const timedOut = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    const code = timedOut ? ErrorCode.RequestTimeout : ErrorCode.BadRequest;
    const status = errorStatus(code, err.code === 'HPE_HEADER_OVERFLOW' ? 'headersTooLarge' : undefined);
    const fields = errorBody(status, code, timedOut ? 'The request did not arrive in time' : 'Malformed request');
    const body = JSON.stringify(fields);
    socket.end(`HTTP/1.1 ${status} ${fields.error}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });

  await regions.start();
  upstreams.start();
  return {
    server,
    gatewayId: viewReporter.gatewayId,
    registry,
    regions,
    flags,
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
      await flags?.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await upstreams.close();
      await viewReporter.withdraw();
      redis?.disconnect();
      subscriber?.disconnect();
    },
  };
}

/** Why a bearer token was refused: an ended session says so (the client signs in again rather than retrying). */
function tokenRefusal(checked: TokenCheck | undefined, otherwise: string): string {
  return checked && !checked.ok && checked.ended ? 'This session has ended (signed out, password changed or access changed); sign in again' : otherwise;
}
