import { SetMetadata } from '@nestjs/common';

export const AUTH_MODE_KEY = 'mg:auth-mode';
export type AuthMode = 'public' | 'service';

/** The route needs no credentials (health checks, OpenAPI). Everything else does. */
export const Public = () => SetMetadata(AUTH_MODE_KEY, 'public' satisfies AuthMode);

/** The route is for the control plane only: it takes the service credential, never a user token. */
export const ServiceAuth = () => SetMetadata(AUTH_MODE_KEY, 'service' satisfies AuthMode);
