import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RequestContext, requestIdFrom } from '@medgenie/tenancy';

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

/** pino through nestjs-pino: request id, org and region on every line, no bodies, no queries. */
export function loggingParams(options: LoggingOptions): Params {
  const options_ = {
    level: options.level ?? 'info',
    base: { service: options.service, region: options.regionId },
    genReqId: (req: IncomingMessage) => requestIdFrom(req.headers['x-request-id']),
    customProps: () => {
      const ctx = RequestContext.snapshot();
      return { org: ctx.orgId, user: ctx.userId };
    },
    serializers: {
      req: (req: { id?: string; method?: string; url?: string }) => ({ id: req.id, method: req.method, path: pathOnly(req.url) }),
      res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
    },
    redact: { paths: ['req.headers', 'res.headers'], remove: true },
    customSuccessMessage: (req: IncomingMessage, res: ServerResponse) => `${req.method} ${pathOnly(req.url)} ${res.statusCode}`,
    customErrorMessage: (req: IncomingMessage, res: ServerResponse) => `${req.method} ${pathOnly(req.url)} ${res.statusCode}`,
    autoLogging: { ignore: (req: IncomingMessage) => req.url === '/healthz' || req.url === '/readyz' },
  };
  return { pinoHttp: options.stream ? [options_, options.stream] : options_ };
}
