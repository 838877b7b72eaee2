import { SetMetadata } from '@nestjs/common';
import type { OrgRole } from '@medgenie/contracts';

export const ROLES_KEY = 'mg:roles';

/** Restricts a route to these membership roles; without it any member of the org may call. */
export const Roles = (...roles: OrgRole[]) => SetMetadata(ROLES_KEY, roles);
