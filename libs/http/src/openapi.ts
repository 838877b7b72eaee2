import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';

export interface OpenApiOptions {
  title: string;
  version: string;
  description?: string;
}

/**
 * Builds the OpenAPI document from the controllers, with request schemas derived from the
 * very class-validator rules that validate them, so the document cannot drift from behaviour.
 */
export function buildOpenApiDocument(app: INestApplication, options: OpenApiOptions): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(options.title)
    .setVersion(options.version)
    .setDescription(options.description ?? '')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, config);
  const schemas = validationMetadatasToSchemas({ refPointerPrefix: '#/components/schemas/' });
  document.components = document.components ?? {};
  document.components.schemas = { ...(document.components.schemas ?? {}), ...(schemas as object) };
  return document;
}

/** Serves the document at GET /openapi.json. */
export function serveOpenApi(app: INestApplication, document: OpenAPIObject): void {
  const http = app.getHttpAdapter();
  http.get('/openapi.json', (_req: unknown, reply: { header: (k: string, v: string) => { send: (b: unknown) => void } }) => {
    reply.header('content-type', 'application/json; charset=utf-8').send(document);
  });
}
