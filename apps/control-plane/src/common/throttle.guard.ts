import { CanActivate, ExecutionContext, Global, Inject, Injectable, Module, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';
import { ErrorCode, fail } from './errors';
import { BucketLimit, RateLimiter } from './rate-limiter';

/**
 * What a route is throttled as: `password` (a password is checked: per address and per account,
 * the email of the body), `refresh` (per address), `signup` (per address, hourly),
 * `password-reset` (a reset link is asked for: per address and per account, hourly) or
 * `password-reset-confirm` (a reset token is presented: per address, hourly).
 */
export type ThrottleKind = 'password' | 'refresh' | 'signup' | 'password-reset' | 'password-reset-confirm';

const THROTTLE_KEY = 'medgenie:throttle';

/** Throttles the route (with ThrottleGuard on its controller). */
export const Throttle = (kind: ThrottleKind) => SetMetadata(THROTTLE_KEY, kind);

interface ThrottledRequest {
  /** The client address: Fastify's, from X-Forwarded-For as the gateway sets it (trustProxy). */
  ip: string;
  body?: unknown;
}

/**
 * Refuses with 429 RATE_LIMITED (and Retry-After) a request over its address's or its account's
 * bucket. Guards run before validation, so the account is read from the raw body, lower-cased as
 * the DTO does; a body without an email is left to validation.
 */
@Injectable()
export class ThrottleGuard implements CanActivate {
  private readonly limits: ControlPlaneConfig['throttle'];

  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
    @Inject(CONTROL_PLANE_CONFIG) config: ControlPlaneConfig,
  ) {
    this.limits = config.throttle;
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const kind = this.reflector.getAllAndOverride<ThrottleKind | undefined>(THROTTLE_KEY, [ctx.getHandler(), ctx.getClass()]);
    if (!kind) return true;
    const req = ctx.switchToHttp().getRequest<ThrottledRequest>();
    const buckets: [string, BucketLimit][] = [];
    if (kind === 'signup') buckets.push([`signup:addr:${req.ip}`, this.limits.signupPerAddress]);
    if (kind === 'refresh') buckets.push([`refresh:addr:${req.ip}`, this.limits.loginPerAddress]);
    if (kind === 'password') {
      buckets.push([`login:addr:${req.ip}`, this.limits.loginPerAddress]);
      const email = (req.body as { email?: unknown } | undefined)?.email;
      if (typeof email === 'string' && email.length <= 254) buckets.push([`login:acct:${email.trim().toLowerCase()}`, this.limits.loginPerAccount]);
    }
    if (kind === 'password-reset') {
      buckets.push([`reset:addr:${req.ip}`, this.limits.passwordResetPerAddress]);
      const email = (req.body as { email?: unknown } | undefined)?.email;
      if (typeof email === 'string' && email.length <= 254) buckets.push([`reset:acct:${email.trim().toLowerCase()}`, this.limits.passwordResetPerAccount]);
    }
    if (kind === 'password-reset-confirm') buckets.push([`reset-confirm:addr:${req.ip}`, this.limits.passwordResetPerAddress]);
    // The address first: a flood from one address is refused before it touches the account's bucket.
    for (const [key, limit] of buckets) {
      const taken = await this.limiter.take(key, limit);
      if (!taken.allowed) throw fail(ErrorCode.RateLimited, `Too many requests; try again in ${taken.retryAfterSeconds} s`, taken.retryAfterSeconds);
    }
    return true;
  }
}

/** The rate limiter and the guard, for every controller. */
@Global()
@Module({ providers: [RateLimiter, ThrottleGuard], exports: [RateLimiter, ThrottleGuard] })
export class ThrottleModule {}
