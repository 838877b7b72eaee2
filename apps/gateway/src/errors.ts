import { STATUS_CODES } from 'node:http';
import type { FastifyReply } from 'fastify';

/**
 * The platform's error shape: `{statusCode, error, message, code?, requestId}`. Reason phrases
 * come from Node itself: the gateway imports no NestJS code (see gateway.ts).
 */
export function sendError(reply: FastifyReply, statusCode: number, code: string, message: string, headers: Record<string, string> = {}): FastifyReply {
  for (const [k, v] of Object.entries(headers)) void reply.header(k, v);
  return reply
    .status(statusCode)
    .header('content-type', 'application/json; charset=utf-8')
    .send({ statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, code, requestId: reply.request.id });
}
