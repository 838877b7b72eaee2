import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** A queued message, as claimed for one delivery attempt. */
export interface ClaimedMail {
  id: string;
  kind: string;
  recipient: string;
  sealedMessage: string;
  /** This attempt included. */
  attempts: number;
}

/** The mail_outbox table: messages waiting to be sent, their content sealed. */
@Injectable()
export class MailOutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * A new message, its first attempt counted and leased to the instance that queued it for
   * `leaseSeconds`: that instance sends it now, and no sweep takes it meanwhile.
   */
  async insert(row: { id: string; kind: string; userId: string | null; recipient: string; sealedMessage: string }, leaseSeconds: number): Promise<void> {
    await this.dataSource.query(
      `insert into mail_outbox (id, kind, user_id, recipient, sealed_message, attempts, next_attempt_at)
       values ($1, $2, $3, $4, $5, 1, now() + make_interval(secs => $6))`,
      [row.id, row.kind, row.userId, row.recipient, row.sealedMessage, leaseSeconds],
    );
  }

  /**
   * Claims up to `limit` messages that are due, counting the attempt and pushing their next time
   * out by `leaseSeconds` (an instance that dies while sending leaves them to be retried then).
   * SKIP LOCKED: several instances never claim the same message.
   */
  async claimDue(limit: number, leaseSeconds: number): Promise<ClaimedMail[]> {
    const [rows]: [{ id: string; kind: string; recipient: string; sealed_message: string; attempts: number }[], number] = await this.dataSource.query(
      `update mail_outbox set attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
        where id in (select id from mail_outbox
                      where status = 'pending' and next_attempt_at <= now() and sealed_message is not null
                      order by next_attempt_at limit $1 for update skip locked)
        returning id, kind, recipient, sealed_message, attempts`,
      [limit, leaseSeconds],
    );
    return rows.map((r) => ({ id: r.id, kind: r.kind, recipient: r.recipient, sealedMessage: r.sealed_message, attempts: r.attempts }));
  }

  /** Sent: nothing of it is kept. */
  async delete(id: string): Promise<void> {
    await this.dataSource.query('delete from mail_outbox where id = $1', [id]);
  }

  /** A failed attempt: tried again after `retryInSeconds`. */
  async retryLater(id: string, retryInSeconds: number, error: string): Promise<void> {
    await this.dataSource.query(`update mail_outbox set next_attempt_at = now() + make_interval(secs => $2), last_error = $3 where id = $1`, [
      id,
      retryInSeconds,
      error.slice(0, 500),
    ]);
  }

  /** Given up: the row stays (kind, recipient, error) for whoever looks into it; its content is erased. */
  async giveUp(id: string, error: string): Promise<void> {
    await this.dataSource.query(`update mail_outbox set status = 'failed', sealed_message = null, last_error = $2 where id = $1`, [id, error.slice(0, 500)]);
  }
}
