import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';

/** Something that runs SQL: the data source, or a transaction's entity manager. */
export interface Queryable {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}

/** Access tokens are accepted this long past `exp` (clock tolerance): an ended session is remembered until then. */
const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * Revokes the live refresh tokens of the sessions that `where` picks ($1 is its parameter) and
 * records each session as ended until its last access token expires ($2 seconds from now), in one
 * statement, so no session can end without being recorded for the regions and gateways.
 */
const END_SESSIONS = (where: string) => `
  with ended as (
    update refresh_tokens set revoked_at = now() where ${where} and revoked_at is null returning family_id, user_id)
  insert into ended_sessions (session_id, user_id, organization_id, region_id, expires_at)
  select distinct e.family_id, e.user_id, u.organization_id, o.region_id, now() + make_interval(secs => $2)
    from ended e join users u on u.id = e.user_id left join organizations o on o.id = u.organization_id
  on conflict (session_id) do update
    set expires_at = greatest(ended_sessions.expires_at, excluded.expires_at), delivered_at = null, next_attempt_at = now()
  returning session_id`;

export interface DueSession {
  sessionId: string;
  organizationId: string | null;
  regionId: string | null;
  expiresAt: Date;
}

/** Ended sessions (migration 1764890000000): recorded when they end, delivered to their region, pruned when their tokens expire. */
@Injectable()
export class EndedSessionsRepository {
  private readonly keepSeconds: number;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CONTROL_PLANE_CONFIG) config: ControlPlaneConfig,
  ) {
    this.keepSeconds = config.tokens.accessTtlSeconds + CLOCK_TOLERANCE_SECONDS;
  }

  /** Ends every session of the user (in `runner`'s transaction when given); the ids of those that were live. */
  endAllOfUser(userId: string, runner: Queryable = this.dataSource): Promise<string[]> {
    return this.end(runner, 'user_id = $1', userId);
  }

  /** Ends one session (a refresh token family). */
  endSession(sessionId: string, runner: Queryable = this.dataSource): Promise<string[]> {
    return this.end(runner, 'family_id = $1', sessionId);
  }

  private async end(runner: Queryable, where: string, id: string): Promise<string[]> {
    const rows = (await runner.query(END_SESSIONS(where), [id, this.keepSeconds])) as { session_id: string }[];
    return rows.map((r) => r.session_id);
  }

  async isEnded(sessionId: string): Promise<boolean> {
    const rows = (await this.dataSource.query(`select 1 from ended_sessions where session_id = $1`, [sessionId])) as unknown[];
    return rows.length > 0;
  }

  /**
   * Claims up to `limit` sessions due for delivery (not delivered, tokens not expired), pushing
   * their next attempt back (1 s, 2 s, 4 s … up to 30 s) so a failed one is retried later and
   * another control plane instance does not take the same ones meanwhile.
   */
  async claimDue(limit: number): Promise<DueSession[]> {
    const rows = (await this.dataSource.query(
      `update ended_sessions e set attempts = e.attempts + 1,
              next_attempt_at = now() + make_interval(secs => least(30, power(2, e.attempts)))
        where e.session_id in (select session_id from ended_sessions
                                where delivered_at is null and next_attempt_at <= now() and expires_at > now()
                                order by next_attempt_at limit $1 for update skip locked)
        returning e.session_id, e.organization_id, e.region_id, e.expires_at`,
      [limit],
    )) as [{ session_id: string; organization_id: string | null; region_id: string | null; expires_at: Date }[], number];
    return rows[0].map((r) => ({ sessionId: r.session_id, organizationId: r.organization_id, regionId: r.region_id, expiresAt: r.expires_at }));
  }

  async markDelivered(sessionIds: string[]): Promise<void> {
    if (sessionIds.length) await this.dataSource.query(`update ended_sessions set delivered_at = now() where session_id = any($1::uuid[])`, [sessionIds]);
  }

  /** Forgets sessions whose access tokens expired more than a day ago. */
  async prune(): Promise<void> {
    await this.dataSource.query(`delete from ended_sessions where expires_at < now() - interval '1 day'`);
  }
}
