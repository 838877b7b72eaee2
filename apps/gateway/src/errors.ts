import { STATUS_CODES, ServerResponse } from 'node:http';

/**
 * The platform's error shape: `{statusCode, error, message, code?, requestId}`. Reason phrases
 * come from Node itself: the gateway imports no NestJS code (see gateway.ts).
 */
export function sendError(
  res: ServerResponse,
  requestId: string,
  statusCode: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, code, requestId });
  res.writeHead(statusCode, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-request-id': requestId,
  });
  res.end(body);
}
