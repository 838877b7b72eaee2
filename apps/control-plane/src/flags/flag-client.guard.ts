import { createHash, timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';
import { ErrorCode, fail } from '../common/errors';

const digest = (v: string) => createHash('sha256').update(v).digest();

/** The request of a flag client, once its token is known: the token's name (a region id or "gateway"). */
export interface FlagClientRequest {
  headers: Record<string, string | string[] | undefined>;
  flagClient?: string;
}

/**
 * The Unleash client API's credential: a client token from UNLEASH_CLIENT_TOKENS, sent verbatim as
 * the Authorization header (as Unleash SDKs do). Compared by SHA-256 digest in constant time,
 * against every token (no early exit). A user's access token is not a client token.
 */
@Injectable()
export class FlagClientGuard implements CanActivate {
  private readonly tokens: { client: string; digest: Buffer }[];

  constructor(@Inject(CONTROL_PLANE_CONFIG) config: ControlPlaneConfig) {
    // "in.next" is a second token of the client "in" (rotation): both are accepted as "in".
    this.tokens = Object.entries(config.flags.clientTokens).map(([name, token]) => ({ client: name.split('.')[0], digest: digest(token) }));
  }

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<FlagClientRequest>();
    const presented = req.headers.authorization;
    if (typeof presented !== 'string' || presented.length === 0) throw fail(ErrorCode.Unauthenticated, 'a client token is required');
    const presentedDigest = digest(presented);
    let client: string | undefined;
    for (const token of this.tokens) {
      if (timingSafeEqual(presentedDigest, token.digest)) client = token.client;
    }
    if (!client) throw fail(ErrorCode.Unauthenticated, 'invalid client token');
    req.flagClient = client;
    return true;
  }
}
