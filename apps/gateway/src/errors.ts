import type { FastifyReply } from 'fastify';
import { reasonPhrase } from '@medgenie/http';

/** The platform's error shape: `{statusCode, error, message, code?, requestId}`. */
export function sendError(reply: FastifyReply, statusCode: number, code: string, message: string, headers: Record<string, string> = {}): FastifyReply {
  for (const [k, v] of Object.entries(headers)) void reply.header(k, v);
  return reply
    .status(statusCode)
    .header('content-type', 'application/json; charset=utf-8')
    .send({ statusCode, error: reasonPhrase(statusCode), message, code, requestId: reply.request.id });
}
