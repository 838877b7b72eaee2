import { HttpStatus } from '@nestjs/common';

/**
 * A failure the caller can act on, with a stable code. Mapped to HTTP in one place
 * (HttpErrorFilter), so services never speak HTTP. Each app makes these through its own error
 * catalogue (`fail(code, message)` in its common/errors.ts), which holds every code's status.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: HttpStatus,
    /** Sent as Retry-After (429, 503). */
    readonly retryAfterSeconds?: number,
    /** Extra fields the caller can act on, spread into the error body (e.g. a plan limit and the usage). */
    readonly details?: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/**
 * An app's `fail` from its catalogue (each code and the status it is answered with; the Record's
 * type keeps the catalogue exhaustive): the DomainError for a code, answered with its status and,
 * when given, Retry-After. Throw sites name a code and a message, never a status.
 */
export function errorCatalogue<C extends string>(statusByCode: Readonly<Record<C, HttpStatus>>) {
  return (code: C, message: string, retryAfterSeconds?: number, details?: Readonly<Record<string, unknown>>): DomainError =>
    new DomainError(code, message, statusByCode[code], retryAfterSeconds, details);
}
