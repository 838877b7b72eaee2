import 'reflect-metadata';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsISO8601, IsUUID, ValidateNested } from 'class-validator';

/** Redis channel on which the control plane announces ended sessions to the gateways. */
export const SESSION_REVOCATIONS_CHANNEL = 'medgenie:sessions-ended';
/** Redis sorted set of ended sessions (member: session id, score: when its last access token expires, ms). */
export const SESSION_REVOCATIONS_KEY = 'mg:sessions-ended';

/** One ended session: its id (the tokens' `sid`) and when its last access token expires. */
export class EndedSession {
  @IsUUID('4')
  sessionId: string;

  @IsISO8601({ strict: true })
  expiresAt: string;
}

/** Control plane -> region: sessions that ended; their access tokens are refused from now on. */
export class EndSessionsDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => EndedSession)
  sessions: EndedSession[];
}

/** What a gateway hears on `SESSION_REVOCATIONS_CHANNEL`. */
export interface SessionsEndedEvent {
  sessionIds: string[];
  /** When the last access token of these sessions expires (ms since the epoch): forget them then. */
  expiresAtMs: number;
}
