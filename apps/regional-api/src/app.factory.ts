import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { buildOpenApiDocument, createServiceLogger, createValidationPipe, guardInput, installLeanAsyncBind, logRequests, serveOpenApi } from '@medgenie/http';
import { requestIdFrom } from '@medgenie/tenancy';
import { AppModule } from './app.module';
import { RegionalConfig } from './config/regional.config';

export interface RouteInfo {
  method: string;
  url: string;
}

export interface RegionalApp {
  app: NestFastifyApplication;
  /** Every route the API serves, as registered with Fastify (used by the isolation matrix). */
  routes: RouteInfo[];
}

/** Builds (and initializes, but does not listen) the regional API for one region. */
export async function createRegionalApp(config: RegionalConfig, options: { logStream?: DestinationStream } = {}): Promise<RegionalApp> {
  installLeanAsyncBind(); // NestJS binds a function per interceptor per request: see @medgenie/http's async-bind
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    trustProxy: true,
    routerOptions: { maxParamLength: 200 },
    requestIdHeader: false,
    genReqId: (req: IncomingMessage) => requestIdFrom(req.headers['x-request-id']),
  });
  const logger = createServiceLogger({ service: 'regional-api', regionId: config.regionId, level: config.logLevel, stream: options.logStream });
  logRequests(adapter.getInstance(), logger);
  guardInput(adapter.getInstance());
  const routes: RouteInfo[] = [];
  adapter.getInstance().addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) if (method !== 'HEAD') routes.push({ method, url: route.url });
  });

  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, logger), adapter, {
    bufferLogs: true,
    abortOnError: false,
    // Kept so the input guard can refuse a JSON body that is not valid UTF-8 (decoding would hide it).
    rawBody: true,
  });
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();

  serveOpenApi(app, buildOpenApiDocument(app, { title: 'MedGenie regional API', version: '1', description: `Region ${config.regionId}` }));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return { app, routes };
}
