import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AUTH_MODE_KEY, AuthMode } from '@medgenie/auth';
import { SERVICE_TOKEN_HEADER } from '@medgenie/contracts';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';
import { IdentityService } from '../identity/identity.service';
import { UserRole } from '../identity/user.entity';
import { KeysService } from '../keys/keys.service';
import { ErrorCode, fail } from './errors';
import { Principal, ROLES_KEY } from './principal';

const digest = (v: string) => createHash('sha256').update(v).digest();
const ROLES: UserRole[] = ['platform_admin', 'org_admin', 'doctor', 'staff'];

/**
 * The control plane's global guard: its own access tokens (verified against its own keys),
 * the gateway's service credential on @ServiceAuth routes, nothing on @Public routes.
 */
@Injectable()
export class ControlPlaneAuthGuard implements CanActivate {
  private readonly gatewayDigest: Buffer;

  constructor(
    private readonly reflector: Reflector,
    private readonly keys: KeysService,
    private readonly identity: IdentityService,
    @Inject(CONTROL_PLANE_CONFIG) config: ControlPlaneConfig,
  ) {
    this.gatewayDigest = digest(config.gatewayServiceToken);
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    const mode = this.reflector.getAllAndOverride<AuthMode | undefined>(AUTH_MODE_KEY, targets);
    const req = ctx.switchToHttp().getRequest<{ headers: Record<string, unknown>; principal?: Principal }>();
    if (mode === 'public') return true;
    if (mode === 'service') {
      const presented = req.headers[SERVICE_TOKEN_HEADER];
      if (typeof presented !== 'string' || !timingSafeEqual(digest(presented), this.gatewayDigest)) {
        throw fail(ErrorCode.Unauthenticated, 'A valid service credential is required');
      }
      return true;
    }
    const header = req.headers.authorization;
    const token = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : undefined;
    if (!token) throw fail(ErrorCode.Unauthenticated, 'a bearer token is required');
    let payload;
    try {
      payload = await this.keys.verify(token);
    } catch {
      throw fail(ErrorCode.Unauthenticated, 'invalid token');
    }
    const role = payload.role as UserRole;
    if (typeof payload.sub !== 'string' || !ROLES.includes(role) || typeof payload.sid !== 'string') {
      throw fail(ErrorCode.Unauthenticated, 'invalid token');
    }
    if (await this.identity.isSessionEnded(payload.sid)) {
      throw fail(ErrorCode.SessionEnded, 'This session has ended (signed out, password changed or access changed); sign in again');
    }
    req.principal = {
      userId: payload.sub,
      role,
      orgId: typeof payload.org === 'string' ? payload.org : null,
      regionId: typeof payload.region === 'string' ? payload.region : null,
    };
    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES_KEY, targets);
    if (roles && !roles.includes(role)) throw fail(ErrorCode.RoleRequired, `This action needs the role ${roles.join(' or ')}`);
    return true;
  }
}
