import { Client, ClientConfig } from 'pg';

export interface WatchdogClientConfig extends ClientConfig {
  /**
   * A query the server has not answered after this long ends the connection (0: never). Set it
   * above the server's `statement_timeout`: a server that is alive cancels a slow statement
   * itself and the connection stays usable, so the watchdog only fires on a server that does
   * not answer at all (its process frozen, the network gone).
   */
  queryWatchdogMillis?: number;
}

/**
 * A pg Client whose queries cannot hang: once a query has waited `queryWatchdogMillis` for its
 * answer, the connection is ended (its socket destroyed) and every query on it fails with
 * "Connection terminated". A connection in that state is never reused: its protocol state is
 * unknown (the answer may still come, a transaction may still be open), and pg-pool drops a
 * client that is ending when it is released, whoever releases it and however.
 *
 * node-postgres's own `query_timeout` is not used because it fails the query but leaves the
 * connection as it is: released without an error (which is what TypeORM's `release()` does), it
 * goes back to the pool with the unanswered query still active, and the next borrower's
 * statements queue behind it.
 *
 * One timer per connection, restarted by each query and disarmed by `drain` (the client has no
 * query left): no work per query beyond `Timeout.refresh()`. A streamed query (a cursor) counts
 * as one query for as long as it streams; nothing in MedGenie streams from Postgres.
 */
export class WatchdogClient extends Client {
  private readonly watchdogMs: number;
  private watchdog: NodeJS.Timeout | undefined;
  private busy = false;
  private round = 0;
  private abandoned = false;

  constructor(config?: string | WatchdogClientConfig) {
    super(config);
    this.watchdogMs = typeof config === 'object' ? (config.queryWatchdogMillis ?? 0) : 0;
    if (this.watchdogMs > 0) {
      this.on('drain', () => {
        this.busy = false;
      });
      this.on('end', () => {
        this.busy = false;
        this.abandoned = true;
        if (this.watchdog) clearTimeout(this.watchdog);
      });
    }
  }

  // The overloads of Client#query all go through here unchanged.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    if (this.watchdogMs > 0 && !this.abandoned) this.arm();
    return (super.query as (...a: unknown[]) => unknown).apply(this, args);
  }

  private arm(): void {
    this.busy = true;
    this.round += 1;
    if (this.watchdog) {
      this.watchdog.refresh();
    } else {
      this.watchdog = setTimeout(() => this.expire(), this.watchdogMs);
      this.watchdog.unref();
    }
  }

  private expire(): void {
    if (!this.busy) return;
    const round = this.round;
    // Timers run before I/O in an event-loop turn: an answer that arrived while the loop was
    // busy elsewhere is read first, and is not mistaken for a server that does not answer.
    setImmediate(() => {
      if (this.busy && this.round === round) this.abandon();
    });
  }

  private abandon(): void {
    this.abandoned = true;
    this.busy = false;
    // With a query in flight `end()` destroys the socket at once (no goodbye to a server that
    // does not read), and fails the queries with "Connection terminated".
    this.end().catch(() => undefined);
  }
}
