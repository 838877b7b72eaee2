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
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
