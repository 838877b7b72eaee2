/**
 * A cap on the pooled connections one organization holds at once, so no org can take all of a
 * region's: however many slow requests one org sends, the others always find connections. A
 * request over its org's cap waits (in arrival order) up to `waitMs` for one of its org's
 * connections to come back, then gets `null` (the caller answers 503 with Retry-After).
 *
 * Per process: each regional API instance caps its own pool.
 */
export class OrgConnectionLimit {
  private readonly orgs = new Map<string, { used: number; waiting: { grant: (release: () => void) => void; timer: NodeJS.Timeout }[] }>();

  constructor(
    readonly perOrg: number,
    private readonly waitMs: number,
  ) {}

  /** The default cap: all of the pool but a quarter of it (at least one connection) kept for the others. */
  static defaultFor(poolSize: number): number {
    return Math.max(1, poolSize - Math.max(1, Math.floor(poolSize / 4)));
  }

  /** A release function (call it once the connection is back in the pool), at once or after a wait; null when the wait ran out. */
  acquire(orgId: string): (() => void) | Promise<(() => void) | null> {
    let org = this.orgs.get(orgId);
    if (!org) {
      org = { used: 0, waiting: [] };
      this.orgs.set(orgId, org);
    }
    if (org.used < this.perOrg) {
      org.used += 1;
      return this.releaser(orgId);
    }
    const state = org;
    return new Promise((resolve) => {
      const waiter = {
        grant: (release: () => void) => resolve(release),
        timer: setTimeout(() => {
          state.waiting.splice(state.waiting.indexOf(waiter), 1);
          resolve(null);
        }, this.waitMs),
      };
      state.waiting.push(waiter);
    });
  }

  inUse(orgId: string): number {
    return this.orgs.get(orgId)?.used ?? 0;
  }

  private releaser(orgId: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const org = this.orgs.get(orgId);
      if (!org) return;
      const next = org.waiting.shift();
      if (next) {
        clearTimeout(next.timer);
        next.grant(this.releaser(orgId)); // the connection's turn passes straight to the next waiter
        return;
      }
      org.used -= 1;
      if (org.used === 0) this.orgs.delete(orgId);
    };
  }
}
