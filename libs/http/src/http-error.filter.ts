import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { RequestContext } from '@medgenie/tenancy';
import { DomainError } from './domain-error';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  code?: string;
  /** A refused input's problems by field (400 VALIDATION_FAILED): every field, every constraint. */
  errors?: { field: string; messages: string[] }[];
  requestId?: string;
  /** A DomainError's details (e.g. `limit` and `usage` with PLAN_LIMIT_REACHED), spread in. */
  [detail: string]: unknown;
}

function isFieldErrors(value: unknown): value is NonNullable<ErrorBody['errors']> {
  return (
    Array.isArray(value) &&
    value.every(
      (e: { field?: unknown; messages?: unknown }) =>
        typeof e?.field === 'string' && Array.isArray(e.messages) && e.messages.every((m) => typeof m === 'string'),
    )
  );
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  421: 'Misdirected Request',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? (status >= 500 ? 'Internal Server Error' : 'Error');
}

/** Postgres errors the caller caused, by SQLSTATE. Anything else is our fault: a 500. */
const PG_CLIENT_ERRORS: Record<string, { status: number; code: string; message: string }> = {
  '23505': { status: 409, code: 'CONFLICT', message: 'A record with the same unique values already exists' },
  '23P01': { status: 409, code: 'CONFLICT', message: 'The record conflicts with an existing one' },
  '23503': { status: 409, code: 'REFERENCE_CONFLICT', message: 'The record refers to, or is referred to by, another record' },
  '23514': { status: 422, code: 'CHECK_VIOLATION', message: 'The record breaks a rule of its table' },
  '23502': { status: 400, code: 'VALUE_REQUIRED', message: 'A required value is missing' },
  '22021': { status: 400, code: 'INVALID_ENCODING', message: 'A value is not valid text (bad encoding or a NUL byte)' },
  '22P02': { status: 400, code: 'INVALID_INPUT', message: 'A value has an invalid format' },
  '22001': { status: 400, code: 'VALUE_TOO_LONG', message: 'A value is too long' },
  '22007': { status: 400, code: 'INVALID_INPUT', message: 'A date or time value is invalid' },
  '22008': { status: 400, code: 'INVALID_INPUT', message: 'A date or time value is out of range' },
};

/**
 * The database is down, frozen, saturated or holding a lock too long: the caller should retry,
 * nothing is wrong with the request. Socket errors, SQLSTATE classes 08 (connection) and 57P
 * (shutdown), 53300 (too many connections), 55P03 (lock_timeout) and 57014 (statement_timeout).
 */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
  '55P03',
  '57014',
]);

/**
 * node-postgres and pg-pool report these without a code: the pool's wait for a connection ran
 * out, a connection was cut (by the server, the network, or the query watchdog of
 * `@medgenie/database`), or a query reached a connection that is already closed.
 */
const UNAVAILABLE_MESSAGES =
  /timeout exceeded when trying to connect|Connection terminated|connect ECONNREFUSED|^timeout expired$|Query read timeout|is not queryable/;

/** Seconds sent as Retry-After with DATABASE_UNAVAILABLE. */
export const DATABASE_RETRY_AFTER_SECONDS = 1;

function isDatabaseUnavailable(err: unknown): boolean {
  const code = pgCode(err);
  if (code && UNAVAILABLE_CODES.has(code)) return true;
  const e = err as { message?: unknown; driverError?: { message?: unknown } } | undefined;
  return [e?.message, e?.driverError?.message].some((m) => typeof m === 'string' && UNAVAILABLE_MESSAGES.test(m));
}

function pgCode(err: unknown): string | undefined {
  const candidate = err as { code?: unknown; driverError?: { code?: unknown } };
  const code = candidate?.driverError?.code ?? candidate?.code;
  return typeof code === 'string' ? code : undefined;
}

function httpMessage(exception: HttpException): { message: string; code?: string; errors?: ErrorBody['errors'] } {
  const response = exception.getResponse();
  if (typeof response === 'string') return { message: response };
  const body = response as { message?: unknown; code?: unknown; errors?: unknown };
  const message = Array.isArray(body.message)
    ? body.message.join('; ')
    : typeof body.message === 'string'
      ? body.message
      : exception.message;
  return { message, code: typeof body.code === 'string' ? body.code : undefined, errors: isFieldErrors(body.errors) ? body.errors : undefined };
}

/** Turns anything thrown into `{statusCode, error, message}`; a 5xx never carries internals. */
export function toErrorBody(exception: unknown): ErrorBody {
  if (exception instanceof DomainError) {
    const base = { statusCode: exception.status, error: reasonPhrase(exception.status), message: exception.message, code: exception.code };
    return exception.details ? { ...exception.details, ...base } : base;
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const { message, code, errors } = httpMessage(exception);
    if (status >= 500) return { statusCode: status, error: reasonPhrase(status), message: reasonPhrase(status), code };
    return { statusCode: status, error: reasonPhrase(status), message, code, ...(errors ? { errors } : {}) };
  }
  const fastifyStatus = (exception as { statusCode?: unknown })?.statusCode;
  if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
    const message = (exception as Error).message;
    return { statusCode: fastifyStatus, error: reasonPhrase(fastifyStatus), message };
  }
  if (isDatabaseUnavailable(exception)) {
    return { statusCode: 503, error: reasonPhrase(503), message: 'The service is busy or its database is unreachable; retry shortly', code: 'DATABASE_UNAVAILABLE' };
  }
  const code = pgCode(exception);
  const mapped = code ? PG_CLIENT_ERRORS[code] : undefined;
  if (mapped) return { statusCode: mapped.status, error: reasonPhrase(mapped.status), message: mapped.message, code: mapped.code };
  return { statusCode: 500, error: reasonPhrase(500), message: 'An unexpected error occurred' };
}

function retryAfterSeconds(exception: unknown, body: ErrorBody): number | undefined {
  if (exception instanceof DomainError) return exception.retryAfterSeconds;
  return body.code === 'DATABASE_UNAVAILABLE' ? DATABASE_RETRY_AFTER_SECONDS : undefined;
}

@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const body = toErrorBody(exception);
    body.requestId = RequestContext.snapshot().requestId;
    if (body.statusCode >= 500) {
      // Logged once, here, with the correlation id the caller received.
      const err = exception instanceof Error ? exception : new Error(String(exception));
      this.logger.error({ err, requestId: body.requestId }, 'unhandled error');
    }
    const retryAfter = retryAfterSeconds(exception, body);
    if (retryAfter) void reply.header('retry-after', String(retryAfter));
    void reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
  }
}
