import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { buildOpenApiDocument, createValidationPipe, serveOpenApi } from '@medgenie/http';
import { AppModule } from './app.module';
import { ControlPlaneConfig } from './config/control-plane.config';

export async function createControlPlaneApp(config: ControlPlaneConfig, options: { logStream?: DestinationStream } = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: config.bodyLimitBytes, trustProxy: true, requestIdHeader: false, genReqId: () => '' });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options), adapter, { bufferLogs: true, abortOnError: false });
  app.useLogger(app.get(Logger));
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  serveOpenApi(app, buildOpenApiDocument(app, { title: 'MedGenie control plane', version: '1' }));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
