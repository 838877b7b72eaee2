import type Redis from 'ioredis';
import { SESSION_REVOCATIONS_CHANNEL, SESSION_REVOCATIONS_KEY, SessionsEndedEvent } from '@medgenie/contracts';

/**
 * Sessions the control plane ended (logout, password change, deactivation), until their access
 * tokens expire: a token of one is refused here before it reaches a region (the region refuses it
 * too, from its own table). Filled from the control plane's Redis sorted set whenever the
 * subscription connects (so a gateway started or reconnected late knows the earlier ones) and
 * from its announcements in between.
 */
export class EndedSessions {
  private readonly ended = new Map<string, number>();
  private static readonly MAX = 200_000;

  has(sessionId: string, now = Date.now()): boolean {
    const expiresAt = this.ended.get(sessionId);
    if (expiresAt === undefined) return false;
    if (expiresAt > now) return true;
    this.ended.delete(sessionId);
    return false;
  }

  add(sessionIds: readonly string[], expiresAtMs: number): void {
    if (this.ended.size + sessionIds.length > EndedSessions.MAX) this.prune();
    for (const id of sessionIds) this.ended.set(id, Math.max(expiresAtMs, this.ended.get(id) ?? 0));
  }

  get size(): number {
    return this.ended.size;
  }

  /** Listens on `subscriber` (a connection of its own) and loads the live set with `redis` on every (re)connect. */
  subscribe(subscriber: Redis, redis: Redis): void {
    subscriber.on('ready', () => {
      subscriber.subscribe(SESSION_REVOCATIONS_CHANNEL).catch(() => undefined);
      void this.load(redis);
    });
    subscriber.on('message', (channel: string, message: string) => {
      if (channel !== SESSION_REVOCATIONS_CHANNEL) return;
      try {
        const event = JSON.parse(message) as SessionsEndedEvent;
        if (Array.isArray(event.sessionIds) && typeof event.expiresAtMs === 'number') this.add(event.sessionIds.filter((s) => typeof s === 'string'), event.expiresAtMs);
      } catch {
        // not ours
      }
    });
  }

  private async load(redis: Redis): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        const flat = await redis.zrangebyscore(SESSION_REVOCATIONS_KEY, Date.now(), '+inf', 'WITHSCORES');
        for (let i = 0; i + 1 < flat.length; i += 2) this.add([flat[i]], Number(flat[i + 1]));
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 200 * (attempt + 1)));
      }
    }
  }

  private prune(now = Date.now()): void {
    for (const [id, expiresAt] of this.ended) if (expiresAt <= now) this.ended.delete(id);
  }
}
