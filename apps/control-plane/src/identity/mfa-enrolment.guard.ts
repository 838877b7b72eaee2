import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import { ErrorCode, fail } from '../common/errors';
import { KeysService } from '../keys/keys.service';
import { EnrollmentActor, MfaService } from './mfa.service';

/** Who is enrolling: a signed-in user, or one holding the enrolment token login gave them. */
export interface MfaEnrolmentCaller {
  userId: string;
  /** Set when the caller came with an enrolment token (spent at activation). */
  enrollment?: EnrollmentActor;
}

interface EnrolmentRequest {
  headers: Record<string, unknown>;
  body?: unknown;
  mfaCaller?: MfaEnrolmentCaller;
}

/**
 * Authenticates MFA setup and activation (routes marked @Public, so the global guard leaves them to
 * this one): an enrolment token (`mfe_…`, as `enrollmentToken` in the body or as the bearer), which
 * opens these two routes and nothing else, or an access token of this control plane.
 */
@Injectable()
export class MfaEnrolmentGuard implements CanActivate {
  constructor(
    private readonly mfa: MfaService,
    private readonly keys: KeysService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<EnrolmentRequest>();
    const header = req.headers.authorization;
    const bearer = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : undefined;
    const fromBody = (req.body as { enrollmentToken?: unknown } | undefined)?.enrollmentToken;
    const enrollmentToken = typeof fromBody === 'string' && fromBody.length <= 200 ? fromBody : bearer?.startsWith('mfe_') ? bearer : undefined;
    if (enrollmentToken) {
      const enrollment = await this.mfa.enrollmentActor(enrollmentToken);
      req.mfaCaller = { userId: enrollment.userId, enrollment };
      return true;
    }
    if (!bearer) throw fail(ErrorCode.Unauthenticated, 'a bearer token (or an enrollmentToken) is required');
    let sub: unknown;
    try {
      sub = (await this.keys.verify(bearer)).sub;
    } catch {
      throw fail(ErrorCode.Unauthenticated, 'invalid token');
    }
    if (typeof sub !== 'string') throw fail(ErrorCode.Unauthenticated, 'invalid token');
    req.mfaCaller = { userId: sub };
    return true;
  }
}

export const MfaCaller = createParamDecorator((_data: unknown, ctx: ExecutionContext): MfaEnrolmentCaller => {
  return ctx.switchToHttp().getRequest<{ mfaCaller: MfaEnrolmentCaller }>().mfaCaller;
});
