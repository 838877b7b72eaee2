import { randomUUID } from 'node:crypto';
import { Global, Module } from '@nestjs/common';
import { ClsModule } from 'nestjs-cls';
import { RequestContext } from './request-context';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Accepts a caller's request id when it is a sane token, otherwise mints one. */
export function requestIdFrom(header: unknown): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

interface HasHeadersAndId {
  id?: string;
  headers: Record<string, string | string[] | undefined>;
}

@Global()
@Module({
  imports: [
    ClsModule.forRoot({
      global: true,
      middleware: {
        mount: true,
        generateId: true,
        // Nothing here uses nestjs-cls' proxy providers, plugins or CLS_REQ. Left on, every request
        // would run a require() (the proxy providers' resolution) and keep its request in the store.
        resolveProxyProviders: false,
        initializePlugins: false,
        saveReq: false,
        // Fastify's genReqId has already read the caller's X-Request-Id (see the app factories).
        idGenerator: (req: HasHeadersAndId) => req.id || requestIdFrom(req.headers['x-request-id']),
        setup: (cls, req: HasHeadersAndId) => {
          cls.set('mg.requestId', cls.getId());
          RequestContext.attach(req, cls);
        },
      },
    }),
  ],
  providers: [RequestContext],
  exports: [RequestContext],
})
export class TenancyModule {}
