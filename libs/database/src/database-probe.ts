import { Pool } from 'pg';
import { WatchdogClient } from './watchdog-client';

export interface DatabaseProbeOptions {
  url: string;
  applicationName: string;
  /** The probe's whole budget: connecting (when it must) and `select 1`. */
  timeoutMs: number;
  /** An "up" this recent is answered again without touching the database. */
  cacheMs: number;
}

export interface ProbeResult {
  up: boolean;
  /** Why it is down, fit for a public answer: no address, no driver message. */
  reason?: string;
  /** The driver's error, for the log only. */
  error?: Error;
}

/**
 * Is the database answering? Asked over a connection of its own (a pool of one), never one the
 * requests use: the answer neither queues behind request traffic when their pool is busy nor
 * takes a connection from it. Bounded by `timeoutMs` whatever the database does (refuses,
 * freezes, locks); the connection reopens by itself when the database comes back. Concurrent
 * callers share one check, and an "up" is reused for `cacheMs`, so a flood of probes costs a
 * healthy database at most one `select 1` per `cacheMs`. A "down" is not reused: the next check
 * asks again, so the database coming back is seen at once (and a check of a database that does
 * not answer takes its whole budget, which is what spaces them then).
 */
export class DatabaseProbe {
  private readonly pool: Pool;
  private lastUp = Number.NEGATIVE_INFINITY;
  private inflight: Promise<ProbeResult> | undefined;

  constructor(private readonly options: DatabaseProbeOptions) {
    this.pool = new Pool({
      connectionString: options.url,
      application_name: options.applicationName,
      max: 1,
      idleTimeoutMillis: 0, // kept open: a probe is one round trip, not a connection set-up
      connectionTimeoutMillis: options.timeoutMs,
      statement_timeout: options.timeoutMs,
      Client: WatchdogClient,
      queryWatchdogMillis: options.timeoutMs,
    } as ConstructorParameters<typeof Pool>[0]);
    // The idle probe connection breaking (the database restarted) is not an error of anyone's:
    // the pool drops it and the next check opens another.
    this.pool.on('error', () => undefined);
  }

  check(): Promise<ProbeResult> {
    if (Date.now() - this.lastUp < this.options.cacheMs) return Promise.resolve(UP);
    if (!this.inflight) {
      this.inflight = this.probe().then((result) => {
        this.lastUp = result.up ? Date.now() : Number.NEGATIVE_INFINITY;
        this.inflight = undefined;
        return result;
      });
    }
    return this.inflight;
  }

  async close(): Promise<void> {
    // Ending a connection waits for the server to close its side, which a frozen server never
    // does: bounded, so shutting down never hangs on it.
    await withDeadline(this.pool.end(), this.options.timeoutMs).catch(() => undefined);
  }

  private async probe(): Promise<ProbeResult> {
    const query = this.pool.query('select 1');
    try {
      await withDeadline(query, this.options.timeoutMs);
      return UP;
    } catch (err) {
      query.catch(() => undefined);
      const timedOut = err instanceof DeadlineError;
      return {
        up: false,
        reason: timedOut ? `no answer within ${this.options.timeoutMs} ms` : 'not reachable',
        error: err as Error,
      };
    }
  }
}

const UP: ProbeResult = Object.freeze({ up: true });

class DeadlineError extends Error {}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
