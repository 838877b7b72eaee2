import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { UserRole } from '../identity/user.entity';

/** Who is calling a control-plane route, from a token this control plane issued. */
export interface Principal {
  userId: string;
  role: UserRole;
  orgId: string | null;
  regionId: string | null;
}

export const ROLES_KEY = 'mg:cp-roles';
export const RequireRole = (...roles: UserRole[]) => SetMetadata(ROLES_KEY, roles);

export const CurrentPrincipal = createParamDecorator((_data: unknown, ctx: ExecutionContext): Principal => {
  return ctx.switchToHttp().getRequest<{ principal: Principal }>().principal;
});
