import { HttpStatus } from '@nestjs/common';

/**
 * A failure the caller can act on, with a stable code. Mapped to HTTP in one place
 * (HttpErrorFilter), so services never speak HTTP.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: HttpStatus,
    /** Sent as Retry-After (429, 503). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (code: string, message: string) => new DomainError(code, message, HttpStatus.NOT_FOUND);
export const conflict = (code: string, message: string) => new DomainError(code, message, HttpStatus.CONFLICT);
export const forbidden = (code: string, message: string) => new DomainError(code, message, HttpStatus.FORBIDDEN);
export const badRequest = (code: string, message: string) => new DomainError(code, message, HttpStatus.BAD_REQUEST);
export const unprocessable = (code: string, message: string) =>
  new DomainError(code, message, HttpStatus.UNPROCESSABLE_ENTITY);
