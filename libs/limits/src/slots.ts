/**
 * Slots with a bounded wait, for the caps that keep one organization from taking what all share:
 * the gateway's upstream requests per org and connections per region, and the regional API's
 * database connections per org.
 */

/** Given back when the request that held a slot is done (idempotent). */
export type Release = () => void;

interface Waiter {
  grant: (release: Release) => void;
  timer: NodeJS.Timeout;
}

/**
 * A counted set of slots with a bounded wait: `acquire` resolves with a release function, or
 * with null when no slot came free within `waitMs` (or the queue is already `maxQueue` long).
 * Waiters are served in arrival order.
 */
export class Slots {
  private used = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    readonly capacity: number,
    private readonly waitMs: number,
    private readonly maxQueue: number,
  ) {}

  get inUse(): number {
    return this.used;
  }

  get idle(): boolean {
    return this.used === 0 && this.waiting.length === 0;
  }

  /** A slot at once when one is free (the common case: no promise is made), else a wait. */
  tryAcquire(): Release | null {
    if (this.used >= this.capacity) return null;
    this.used += 1;
    return this.releaser();
  }

  acquire(): Promise<Release | null> | Release {
    const now = this.tryAcquire();
    if (now) return now;
    if (this.waiting.length >= this.maxQueue || this.waitMs <= 0) return Promise.resolve(null);
    return new Promise<Release | null>((resolve) => {
      const waiter: Waiter = {
        grant: (release) => resolve(release),
        timer: setTimeout(() => {
          const i = this.waiting.indexOf(waiter);
          if (i >= 0) this.waiting.splice(i, 1);
          resolve(null);
        }, this.waitMs),
      };
      this.waiting.push(waiter);
    });
  }

  private releaser(): Release {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiting.shift();
      if (next) {
        clearTimeout(next.timer);
        next.grant(this.releaser()); // the slot passes straight to the next waiter
      } else {
        this.used -= 1;
      }
    };
  }
}

/**
 * Slots per key (an organization), made on first use and dropped when idle, so one key's
 * requests can never hold more than `capacity` at once whatever the others do.
 */
export class KeyedSlots {
  private readonly byKey = new Map<string, Slots>();

  constructor(
    private readonly capacity: number,
    private readonly waitMs: number,
    private readonly maxQueue: number,
  ) {}

  acquire(key: string): Promise<Release | null> | Release {
    let slots = this.byKey.get(key);
    if (!slots) {
      slots = new Slots(this.capacity, this.waitMs, this.maxQueue);
      this.byKey.set(key, slots);
    }
    const s = slots;
    const wrap = (release: Release | null): Release | null =>
      release &&
      (() => {
        release();
        if (s.idle && this.byKey.get(key) === s) this.byKey.delete(key);
      });
    const got = s.acquire();
    return typeof got === 'function' ? (wrap(got) as Release) : got.then(wrap);
  }

  inUse(key: string): number {
    return this.byKey.get(key)?.inUse ?? 0;
  }

  get size(): number {
    return this.byKey.size;
  }
}
