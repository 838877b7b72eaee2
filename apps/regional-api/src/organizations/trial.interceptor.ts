import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Observable } from 'rxjs';
import { RequestContext } from '@medgenie/tenancy';
import { ErrorCode, fail } from '../common/errors';
import { RequestTransactions } from '../database/request-transaction.interceptor';
import { Clock, trialExpired } from './trial';

const WRITES = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

/**
 * After an organization's trial ends (seed 002), its writes on /v1 answer 402 TRIAL_EXPIRED while
 * reads keep working. Registered after RequestTransactionInterceptor, whose begin statement has
 * read the trial's end with the membership (routes with their own transactions included): the
 * check costs no statement. Internal (control plane) routes carry no identity and are not concerned.
 */
@Injectable()
export class TrialInterceptor implements NestInterceptor {
  constructor(
    private readonly transactions: RequestTransactions,
    private readonly context: RequestContext,
    private readonly clock: Clock,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.context.hasIdentity) return next.handle();
    const request = ctx.switchToHttp().getRequest<FastifyRequest>();
    if (!WRITES.has(request.method) || !request.url.startsWith('/v1/')) return next.handle();
    const endsAt = this.transactions.trialEndsAt;
    if (trialExpired(endsAt, this.clock.now())) {
      throw fail(ErrorCode.TrialExpired, `The trial ended on ${endsAt!.toISOString().slice(0, 10)}; choose a plan to keep adding and changing records`);
    }
    return next.handle();
  }
}
