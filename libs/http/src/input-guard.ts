import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface InputGuardOptions {
  /** Deepest nesting of arrays and objects a JSON body may have. */
  maxDepth?: number;
}

/** Why an input is refused, or null when it may go on. */
type Refusal = string | null;

const NUL = '\u0000';

/**
 * Walks a parsed value (iteratively: a body nested a million deep must not overflow the stack)
 * for nesting deeper than `maxDepth` and for NUL characters in keys or strings, which Postgres
 * refuses in text (a 500 deep inside a handler otherwise).
 */
export function inspectValue(value: unknown, maxDepth: number, where: string): Refusal {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [current, depth] = stack.pop()!;
    if (typeof current === 'string') {
      if (current.includes(NUL)) return `${where} contains a NUL character`;
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth >= maxDepth) return `${where} is nested deeper than ${maxDepth} levels`;
    if (Array.isArray(current)) {
      for (const item of current) stack.push([item, depth + 1]);
      continue;
    }
    for (const [key, item] of Object.entries(current as Record<string, unknown>)) {
      if (key.includes(NUL)) return `${where} has a key with a NUL character`;
      stack.push([item, depth + 1]);
    }
  }
  return null;
}

/** A body JSON.parse made (plain objects and arrays, which is all `inspectValue` is given), not an upload's stream or buffer. */
function isParsedJson(body: unknown): boolean {
  if (typeof body === 'string') return true;
  if (body === null || typeof body !== 'object') return false;
  const proto = Object.getPrototypeOf(body);
  return Array.isArray(body) || proto === Object.prototype || proto === null;
}

function refuse(request: FastifyRequest, reply: FastifyReply, message: string): FastifyReply {
  return reply
    .code(400)
    .header('content-type', 'application/json; charset=utf-8')
    .send({ statusCode: 400, error: 'Bad Request', message, code: 'INVALID_INPUT', requestId: String(request.id) });
}

/**
 * Every app's input pipeline, before validation and handlers: a JSON body that is not valid
 * UTF-8, that is nested deeper than `maxDepth` (32), or that carries a NUL character, and a query
 * string or path parameter with a NUL, is a 400 with a clear message, never a 5xx further in.
 * (Sizes are the body limit's, 413; malformed JSON is Fastify's 400.) The raw body is read when
 * the app keeps it (`rawBody: true`), so invalid UTF-8 is caught before decoding replaced it.
 */
export function guardInput(fastify: FastifyInstance, options: InputGuardOptions = {}): void {
  const maxDepth = options.maxDepth ?? 32;
  fastify.addHook('preValidation', (request, reply, done) => {
    const raw = (request as FastifyRequest & { rawBody?: Buffer }).rawBody;
    let refusal: Refusal = null;
    if (Buffer.isBuffer(raw) && raw.length > 0 && !isUtf8(raw)) refusal = 'The request body is not valid UTF-8';
    refusal ??= inspectValue(request.query, 3, 'The query string');
    refusal ??= inspectValue(request.params, 2, 'The path');
    if (isParsedJson(request.body)) refusal ??= inspectValue(request.body, maxDepth, 'The request body');
    if (refusal) {
      refuse(request, reply, refusal);
      return;
    }
    done();
  });
}
