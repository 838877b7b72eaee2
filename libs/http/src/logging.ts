import type { FastifyInstance } from 'fastify';
import type { Params } from 'nestjs-pino';
import { pino, type DestinationStream, type Logger } from 'pino';
import { RequestContext } from '@medgenie/tenancy';

export interface LoggingOptions {
  service: string;
  regionId?: string;
  level?: string;
  /** Where lines go (stdout when absent); tests pass a stream to read them. */
  stream?: DestinationStream;
}

function pathOnly(url: string | undefined): string {
  // Query strings can carry search terms (patient names, phone numbers): never log them.
  return (url ?? '').split('?')[0];
}

const QUIET_PATHS = new Set(['/healthz', '/readyz']);

/**
 * A service's logger: service and region on every line, and within a request its id, org and
 * user (read from the request context when a line is written, so no per-request child logger
 * is built). Lines never carry bodies, headers or query strings.
 */
export function createServiceLogger(options: LoggingOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service, region: options.regionId },
      mixin: () => {
        const ctx = RequestContext.snapshot();
        return ctx.requestId ? { req: { id: ctx.requestId }, org: ctx.orgId, user: ctx.userId } : {};
      },
    },
    options.stream,
  );
}

/**
 * nestjs-pino over `logger`, for Nest's own logging and `new Logger(...)` in services. Its
 * per-request pino-http middleware is left unmounted (`forRoutes: []`): the request context
 * comes from `createServiceLogger`'s mixin and the request line from `logRequests`.
 */
export function loggingParams(logger: Logger): Params {
  return { pinoHttp: { logger }, forRoutes: [] };
}

/**
 * One line per request once its response has gone out: id, method, path, status, time, org
 * and user. 5xx answers are logged as errors; health probes are not logged, nor the paths of
 * `quietWhenOk` (a service's routine heartbeats) unless they fail.
 */
export function logRequests(fastify: FastifyInstance, logger: Logger, options: { quietWhenOk?: RegExp } = {}): void {
  const { quietWhenOk } = options;
  fastify.addHook('onResponse', (request, reply, done) => {
    const path = pathOnly(request.raw.url);
    const status = reply.statusCode;
    const level = status >= 500 ? 'error' : 'info';
    if (logger.isLevelEnabled(level) && !QUIET_PATHS.has(path) && !(status < 400 && quietWhenOk?.test(path))) {
      const ctx = RequestContext.snapshotOfRequest(request.raw);
      logger[level](
        {
          req: { id: ctx.requestId, method: request.method, path },
          res: { statusCode: status },
          responseTime: Math.round(reply.elapsedTime),
          org: ctx.orgId,
          user: ctx.userId,
        },
        `${request.method} ${path} ${status}`,
      );
    }
    done();
  });
}
