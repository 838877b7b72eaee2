import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { ErrorCode, fail } from '../common/errors';
import { ATTACHMENT_CONTENT_TYPES } from './dto/attachment.dto';

/** The one route that takes a raw file as its body. */
export const ATTACHMENT_UPLOAD_ROUTE = '/v1/dental/attachments';

export const unsupportedMediaType = (message: string) =>
  Object.assign(fail(ErrorCode.UnsupportedMediaType, message), { statusCode: 415 });

/**
 * Hands the upload route its request body as the raw stream, unread, so the handler can check
 * the caller first and then stream the file to the blob store (counting, hashing, sniffing, and
 * stopping at the size limit) without ever holding it in memory.
 *
 * Registered as Fastify's catch-all parser (JSON and text keep their own): the upload route
 * gets the stream for the accepted media types and a coded 415 for any other; every other route
 * refuses a body of a type it does not parse with 415, as Fastify did before, and an unknown
 * URL is still a 404.
 */
@Injectable()
export class RawUploadParser implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addContentTypeParser('*', (request, payload, done) => {
      const contentType = request.headers['content-type'] ?? '(none)';
      if (request.is404) return done(null, undefined);
      if (request.method === 'POST' && request.routeOptions.url === ATTACHMENT_UPLOAD_ROUTE) {
        const mediaType = contentType.split(';')[0].trim().toLowerCase();
        if ((ATTACHMENT_CONTENT_TYPES as readonly string[]).includes(mediaType)) return done(null, payload);
        return done(unsupportedMediaType(`An attachment is sent as the raw body with one of: ${ATTACHMENT_CONTENT_TYPES.join(', ')}`), undefined);
      }
      done(unsupportedMediaType(`Unsupported Media Type: ${contentType}`), undefined);
    });
  }
}
