import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable } from 'rxjs';
import { RequestContext } from '@medgenie/tenancy';
import { RequestCounter } from './request-counter';

/** Counts each request made with an organization's token (after the auth guard set it), in memory. */
@Injectable()
export class RequestCounterInterceptor implements NestInterceptor {
  constructor(
    private readonly context: RequestContext,
    private readonly counter: RequestCounter,
  ) {}

  intercept(_: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (this.context.hasIdentity) this.counter.increment(this.context.orgId);
    return next.handle();
  }
}
