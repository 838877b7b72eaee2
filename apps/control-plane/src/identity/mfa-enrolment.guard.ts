import { CanActivate, createParamDecorator, ExecutionContext, Injectable } from '@nestjs/common';
import { ControlPlaneAuthGuard } from '../common/auth.guard';
import { Principal } from '../common/principal';
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
  principal?: Principal;
  mfaCaller?: MfaEnrolmentCaller;
}

/** A handler and a class with no metadata: what the control plane's guard sees as an ordinary authenticated route. */
const AUTHENTICATED_ROUTE = () => undefined;
class AuthenticatedRoutes {}

/**
 * Authenticates MFA setup and activation (routes marked @Public, so the global guard leaves them to
 * this one): an enrolment token (`mfe_…`, as `enrollmentToken` in the body or as the bearer), which
 * opens these two routes and nothing else, or else an access token, checked by the control plane's
 * own guard exactly as on any authenticated route (whatever it checks of a token, it checks here).
 */
@Injectable()
export class MfaEnrolmentGuard implements CanActivate {
  constructor(
    private readonly mfa: MfaService,
    private readonly auth: ControlPlaneAuthGuard,
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
    // The same context, seen as a route without @Public: the global guard authenticates the bearer (or refuses it).
    const asAuthenticatedRoute = Object.assign(Object.create(ctx) as ExecutionContext, { getHandler: () => AUTHENTICATED_ROUTE, getClass: () => AuthenticatedRoutes });
    await this.auth.canActivate(asAuthenticatedRoute);
    req.mfaCaller = { userId: req.principal!.userId };
    return true;
  }
}

export const MfaCaller = createParamDecorator((_data: unknown, ctx: ExecutionContext): MfaEnrolmentCaller => {
  return ctx.switchToHttp().getRequest<{ mfaCaller: MfaEnrolmentCaller }>().mfaCaller;
});
