import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { from, Observable, switchMap } from 'rxjs';
import { RequestContext } from '@medgenie/tenancy';
import { ErrorCode, fail } from '../common/errors';
import { OWN_TRANSACTIONS_KEY, RequestTransactions } from '../database/request-transaction.interceptor';
import { OrganizationsRepository } from './organizations.repository';
import { Clock, trialExpired } from './trial';

const WRITES = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

/**
 * After an organization's trial ends (seed 002), its writes on /v1 answer 402 TRIAL_EXPIRED while
 * reads keep working. Registered after RequestTransactionInterceptor, so the check is one
 * statement in the request's own transaction (routes with their own transactions get a short one);
 * reads pay nothing. Internal (control plane) routes carry no identity and are not concerned.
 */
@Injectable()
export class TrialInterceptor implements NestInterceptor {
  constructor(
    private readonly organizations: OrganizationsRepository,
    private readonly transactions: RequestTransactions,
    private readonly context: RequestContext,
    private readonly reflector: Reflector,
    private readonly clock: Clock,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.context.hasIdentity) return next.handle();
    const request = ctx.switchToHttp().getRequest<FastifyRequest>();
    if (!WRITES.has(request.method) || !request.url.startsWith('/v1/')) return next.handle();
    const own = this.reflector.getAllAndOverride<boolean | undefined>(OWN_TRANSACTIONS_KEY, [ctx.getHandler(), ctx.getClass()]);
    const check = async (): Promise<void> => {
      const endsAt = await this.organizations.trialEndsAt();
      if (trialExpired(endsAt, this.clock.now())) {
        throw fail(ErrorCode.TrialExpired, `The trial ended on ${endsAt!.toISOString().slice(0, 10)}; choose a plan to keep adding and changing records`);
      }
    };
    return from(own ? this.transactions.run(check) : check()).pipe(switchMap(() => next.handle()));
  }
}
