import { Injectable } from '@nestjs/common';
import type { EndedSession } from '@medgenie/contracts';
import { TransactionHost } from '@medgenie/database';

/** Remembers a session until its last access token expires; a session ended twice keeps the later expiry. */
const END = `insert into revoked_sessions (session_id, expires_at)
  select s.session_id, s.expires_at from unnest($1::uuid[], $2::timestamptz[]) as s (session_id, expires_at)
  on conflict (session_id) do update set expires_at = greatest(revoked_sessions.expires_at, excluded.expires_at)`;
/** Sessions whose tokens have all expired need no refusing any more. */
const PRUNE = `delete from revoked_sessions where expires_at < now() - interval '1 minute'`;

/** The region's ended sessions (migration 1764001700000), which `mg_begin_request` consults on every request. */
@Injectable()
export class SessionsRepository {
  constructor(private readonly tx: TransactionHost) {}

  async end(sessions: readonly EndedSession[]): Promise<void> {
    await this.tx.sql.query(END, [sessions.map((s) => s.sessionId), sessions.map((s) => s.expiresAt)]);
  }

  async prune(): Promise<void> {
    await this.tx.sql.query(PRUNE);
  }
}
