import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { buildOpenApiDocument, createServiceLogger, createValidationPipe, guardInput, installLeanAsyncBind, logRequests, serveOpenApi } from '@medgenie/http';
import { requestIdFrom } from '@medgenie/tenancy';
import { GATEWAY_VIEW_PATH } from './admin/gateway-views.controller';
import { AppModule } from './app.module';
import { ControlPlaneConfig } from './config/control-plane.config';
import { serveConsole } from './console/console-static';

export async function createControlPlaneApp(config: ControlPlaneConfig, options: { logStream?: DestinationStream } = {}): Promise<NestFastifyApplication> {
  installLeanAsyncBind(); // NestJS binds a function per interceptor per request: see @medgenie/http's async-bind
  const adapter = new FastifyAdapter({ bodyLimit: config.bodyLimitBytes, trustProxy: true, requestIdHeader: false, genReqId: (req: IncomingMessage) => requestIdFrom(req.headers['x-request-id']) });
  const logger = createServiceLogger({ service: 'control-plane', level: config.logLevel, stream: options.logStream });
  // The gateways' reports of the regions (every 2 s each) are logged only when they fail.
  logRequests(adapter.getInstance(), logger, { quietWhenOk: GATEWAY_VIEW_PATH });
  guardInput(adapter.getInstance());
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, logger), adapter, { bufferLogs: true, abortOnError: false, rawBody: true });
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  serveOpenApi(app, buildOpenApiDocument(app, { title: 'MedGenie control plane', version: '1' }));
  // The console (apps/console's build) at / on the console host; the API routes above keep theirs.
  await serveConsole(adapter.getInstance(), config.console.distDir);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
