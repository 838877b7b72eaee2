import { createHash, timingSafeEqual } from 'node:crypto';
import {
  ExecutionContext,
  Inject,
  Injectable,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { SERVICE_TOKEN_HEADER } from '@medgenie/contracts';
import { RequestContext } from '@medgenie/tenancy';
import { AUTH_OPTIONS, AuthOptions } from './auth.options';
import { AUTH_MODE_KEY, AuthMode } from './decorators';
import { AuthPrincipal, TokenRejectedError } from './jwt.strategy';
import { VerifiedTokens } from './verified-tokens';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** True when the JWKS could not be fetched at all (as opposed to a bad or unknown token). */
function isKeySourceFailure(err: unknown): boolean {
  const e = err as { name?: string; code?: unknown; syscall?: unknown } | undefined;
  return e?.name === 'JwksError' || typeof e?.syscall === 'string' || (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code));
}

/**
 * The global guard: every route needs a user token unless it says otherwise (@Public or
 * @ServiceAuth). Every refusal is a 401 with a JSON body; an unreachable key source is a 503.
 */
@Injectable()
export class GlobalAuthGuard extends AuthGuard('jwt') {
  private readonly serviceDigest: Buffer;
  private readonly verified = new VerifiedTokens<AuthPrincipal>();

  constructor(
    private readonly reflector: Reflector,
    private readonly context: RequestContext,
    @Inject(AUTH_OPTIONS) options: AuthOptions,
  ) {
    super();
    this.serviceDigest = digest(options.serviceToken);
  }

  override async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const mode = this.reflector.getAllAndOverride<AuthMode | undefined>(AUTH_MODE_KEY, [ctx.getHandler(), ctx.getClass()]);
    if (mode === 'public') return true;
    if (mode === 'service') return this.checkServiceToken(ctx);
    const request = ctx.switchToHttp().getRequest<{ user?: AuthPrincipal; headers: Record<string, unknown> }>();
    const token = bearerToken(request.headers.authorization);
    let principal = token ? this.verified.get(token) : undefined;
    if (!principal) {
      await super.canActivate(ctx);
      principal = request.user as AuthPrincipal;
      if (token) this.verified.set(token, principal, principal.expiresAtMs);
    }
    request.user = principal;
    this.context.setIdentity({
      regionId: principal.regionId,
      orgId: principal.orgId,
      userId: principal.userId,
      tokenRole: principal.role,
      sessionId: principal.sessionId,
    });
    return true;
  }

  override handleRequest<T>(err: unknown, user: T, info: unknown): T {
    if (user && !err) return user;
    if (isKeySourceFailure(err) || isKeySourceFailure(info)) {
      throw new ServiceUnavailableException({ code: 'AUTH_UNAVAILABLE', message: 'Signing keys are unavailable; retry shortly' });
    }
    const reason = err instanceof TokenRejectedError ? err.message : describe(info);
    throw new UnauthorizedException({ code: 'UNAUTHENTICATED', message: reason });
  }

  private checkServiceToken(ctx: ExecutionContext): boolean {
    const header = ctx.switchToHttp().getRequest<{ headers: Record<string, unknown> }>().headers[SERVICE_TOKEN_HEADER];
    if (typeof header !== 'string' || !timingSafeEqual(digest(header), this.serviceDigest)) {
      throw new UnauthorizedException({ code: 'UNAUTHENTICATED', message: 'A valid service credential is required' });
    }
    return true;
  }
}

/** The token of an `Authorization: Bearer …` header (what passport-jwt reads too). */
function bearerToken(header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

function describe(info: unknown): string {
  const name = (info as { name?: string })?.name;
  if (name === 'TokenExpiredError') return 'token expired';
  if (info instanceof Error && info.message === 'No auth token') return 'a bearer token is required';
  return 'invalid token';
}
