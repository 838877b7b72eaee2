import { STATUS_CODES, ServerResponse } from 'node:http';

/** A JSON answer with its length and the request id. */
export function sendJson(res: ServerResponse, requestId: string, statusCode: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(statusCode, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-request-id': requestId,
  });
  res.end(body);
}

/**
 * The platform's error shape: `{statusCode, error, message, code?, requestId}`, plus any fields
 * an error names (`details`, e.g. the 421's `location`). Reason phrases come from Node itself:
 * the gateway imports no NestJS code (see gateway.ts).
 */
export function sendError(
  res: ServerResponse,
  requestId: string,
  statusCode: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
  details: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, requestId, statusCode, { ...details, statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, code, requestId }, headers);
}
