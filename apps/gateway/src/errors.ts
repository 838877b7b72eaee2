import { STATUS_CODES, ServerResponse } from 'node:http';

/** The gateway's error codes, one place to read them all. */
export const ErrorCode = {
  BadRequest: 'BAD_REQUEST',
  Unauthenticated: 'UNAUTHENTICATED',
  TokenOrganizationMismatch: 'TOKEN_ORGANIZATION_MISMATCH',
  OrganizationNotActive: 'ORGANIZATION_NOT_ACTIVE',
  NotFound: 'NOT_FOUND',
  OrganizationNotFound: 'ORGANIZATION_NOT_FOUND',
  RequestTimeout: 'REQUEST_TIMEOUT',
  PayloadTooLarge: 'PAYLOAD_TOO_LARGE',
  MisdirectedRequest: 'MISDIRECTED_REQUEST',
  RateLimited: 'RATE_LIMITED',
  /** The client went away before its body was in: nobody to answer (nginx's 499, never sent). */
  ClientClosedRequest: 'CLIENT_CLOSED_REQUEST',
  Internal: 'INTERNAL',
  /** The region took a request that may have been applied and did not confirm it. */
  UpstreamOutcomeUnknown: 'UPSTREAM_OUTCOME_UNKNOWN',
  NotReady: 'NOT_READY',
  RegionUnavailable: 'REGION_UNAVAILABLE',
  RegistryUnavailable: 'REGISTRY_UNAVAILABLE',
  OrganizationProvisioning: 'ORGANIZATION_PROVISIONING',
  OrganizationBusy: 'ORGANIZATION_BUSY',
  RegionBusy: 'REGION_BUSY',
  /** read_only_maintenance is on for the org: reads go on, writes wait for the end of the maintenance. */
  Maintenance: 'MAINTENANCE',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * The catalogue: each code and the HTTP status it is answered with, in one place. The type makes it
 * exhaustive: a code added above without a status here does not compile. Writers take a code and
 * look its status up, never choose one.
 */
export const ERROR_STATUS: Readonly<Record<ErrorCode, number>> = {
  [ErrorCode.BadRequest]: 400,
  [ErrorCode.Unauthenticated]: 401,
  [ErrorCode.TokenOrganizationMismatch]: 403,
  [ErrorCode.OrganizationNotActive]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.OrganizationNotFound]: 404,
  [ErrorCode.RequestTimeout]: 408,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.MisdirectedRequest]: 421,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.ClientClosedRequest]: 499,
  [ErrorCode.Internal]: 500,
  [ErrorCode.UpstreamOutcomeUnknown]: 502,
  [ErrorCode.NotReady]: 503,
  [ErrorCode.RegionUnavailable]: 503,
  [ErrorCode.RegistryUnavailable]: 503,
  [ErrorCode.OrganizationProvisioning]: 503,
  [ErrorCode.OrganizationBusy]: 503,
  [ErrorCode.RegionBusy]: 503,
  [ErrorCode.Maintenance]: 503,
};

/**
 * Two circumstances answer a code with another status, and say so by name here:
 * - `upstreamTimedOut`: the region did not answer in time: 504 Gateway Timeout, whatever the code
 *   says about the request (unavailable: retry; outcome unknown: check first);
 * - `headersTooLarge`: Node refused the request's headers as too large: 431, still a bad request.
 */
const REFINED_STATUS = {
  upstreamTimedOut: { status: 504, codes: [ErrorCode.RegionUnavailable, ErrorCode.UpstreamOutcomeUnknown] },
  headersTooLarge: { status: 431, codes: [ErrorCode.BadRequest] },
} as const;

export type Refinement = keyof typeof REFINED_STATUS;

/** The status `code` is answered with (in `refinement`'s circumstance, when given and it applies to the code). */
export function errorStatus(code: ErrorCode, refinement?: Refinement): number {
  const refined = refinement ? REFINED_STATUS[refinement] : undefined;
  return refined && (refined.codes as readonly ErrorCode[]).includes(code) ? refined.status : ERROR_STATUS[code];
}

/** The platform's error body: `{statusCode, error, message, code}` (the writer adds the request id). Reason phrases come from Node itself. */
export function errorBody(statusCode: number, code: ErrorCode, message: string) {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, code };
}

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

export interface ErrorOptions {
  headers?: Record<string, string>;
  /** Fields the error adds to the body (e.g. the 421's `location`). */
  details?: Record<string, string>;
  refinement?: Refinement;
}

/**
 * Answers with the platform's error shape, `{statusCode, error, message, code, requestId}` plus
 * any `details`, under the code's catalogued status. The gateway imports no NestJS code (see
 * gateway.ts). A response already started is cut instead.
 */
export function sendError(res: ServerResponse, requestId: string, code: ErrorCode, message: string, options: ErrorOptions = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const statusCode = errorStatus(code, options.refinement);
  sendJson(res, requestId, statusCode, { ...options.details, ...errorBody(statusCode, code, message), requestId }, options.headers);
}
