import type { INestApplication } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { targetConstructorToSchema, validationMetadatasToSchemas } from 'class-validator-jsonschema';

/** class-transformer's @Type() records (its package declares them under types/, ships them under cjs/). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as typeof import('class-transformer/types/storage');

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
  // Nested DTOs (@ValidateNested with @Type) are referenced by their own schema, not as "Array".
  const schemaOptions = { refPointerPrefix: '#/components/schemas/', classTransformerMetadataStorage: defaultMetadataStorage };
  const schemas = validationMetadatasToSchemas(schemaOptions) as Record<string, object>;
  // A body built with PartialType or OmitType carries its rules on the mapped class it extends:
  // its schema is taken from there (through the prototype chain), not left without properties.
  for (const [name, type] of bodyTypes(app)) {
    if (!schemas[name]) schemas[name] = targetConstructorToSchema(type, schemaOptions);
  }
  document.components = document.components ?? {};
  document.components.schemas = { ...(document.components.schemas ?? {}), ...schemas };
  return document;
}

/** Every class a route takes as its body (`@Body() dto: SomeDto`), by name. */
function bodyTypes(app: INestApplication): Map<string, new () => object> {
  const types = new Map<string, new () => object>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const controller of module.controllers.values()) {
      const ctor = controller.metatype as (new () => object) | null;
      if (!ctor?.prototype) continue;
      for (const method of Object.getOwnPropertyNames(ctor.prototype)) {
        const args: Record<string, { index: number }> = Reflect.getMetadata(ROUTE_ARGS_METADATA, ctor, method) ?? {};
        const params: unknown[] = Reflect.getMetadata('design:paramtypes', ctor.prototype, method) ?? [];
        for (const [key, arg] of Object.entries(args)) {
          const type = params[arg.index];
          if (Number(key.split(':')[0]) === RouteParamtypes.BODY && typeof type === 'function' && type !== Object && type.name) types.set(type.name, type as new () => object);
        }
      }
    }
  }
  return types;
}

/** Serves the document at GET /openapi.json. */
export function serveOpenApi(app: INestApplication, document: OpenAPIObject): void {
  const http = app.getHttpAdapter();
  http.get('/openapi.json', (_req: unknown, reply: { header: (k: string, v: string) => { send: (b: unknown) => void } }) => {
    reply.header('content-type', 'application/json; charset=utf-8').send(document);
  });
}
