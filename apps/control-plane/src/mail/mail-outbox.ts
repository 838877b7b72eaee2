import { randomUUID } from 'node:crypto';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';
import { KeyEncryption } from '../keys/key-encryption';
import { MailOutboxRepository } from './mail-outbox.repository';
import { MailContent, Mailer } from './mailer';

/** A message to queue: what it is (for logs and the table, never its content), whom it is for. */
export interface OutgoingMail extends MailContent {
  kind: string;
  /** The identity it is about, if any: its queued mail goes with it when it is deleted. */
  userId?: string | null;
}

const BATCH = 20;
/** A claimed message is retried after this long if its instance died while sending it. */
const LEASE_SECONDS = 300;
const MAX_BACKOFF_SECONDS = 3600;

/**
 * The mail queue. `enqueue` stores the message (sealed) and returns: a request never waits for the
 * relay, and a failure to queue is logged, never the caller's error. The instance that queued a
 * message sends it at once, in the background; the row is leased to it from the start, so no
 * other instance takes it meanwhile. A sweep every MAIL_RETRY_INTERVAL_SECONDS (the first one
 * interval after start) sends what is due: failures, retried with exponential backoff, and
 * messages whose instance died before sending them (once their lease is over). A message that
 * fails MAIL_MAX_ATTEMPTS times is given up. Nothing of a message's content (links, temporary
 * passwords) is ever logged.
 */
@Injectable()
export class MailOutbox implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(MailOutbox.name);
  private readonly sealing: KeyEncryption;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  /** Messages this instance queued and is sending now. */
  private readonly sending = new Set<Promise<void>>();

  constructor(
    private readonly outbox: MailOutboxRepository,
    private readonly mailer: Mailer,
    @Inject(CONTROL_PLANE_CONFIG) private readonly config: ControlPlaneConfig,
  ) {
    this.sealing = new KeyEncryption(config.keys.encryptionSecret, 'mail-outbox');
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), this.config.mail.retryIntervalMs);
    this.timer.unref();
  }

  /** Before any module shuts down (the database among them), the pass under way finishes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.idle();
  }

  /** Queues the message and starts sending it. Never throws: mail is never a reason to fail a request. */
  async enqueue(mail: OutgoingMail): Promise<void> {
    const id = randomUUID();
    let sealedMessage: string;
    try {
      sealedMessage = this.sealing.encrypt(JSON.stringify({ subject: mail.subject, text: mail.text, html: mail.html }));
      await this.outbox.insert({ id, kind: mail.kind, userId: mail.userId ?? null, recipient: mail.to, sealedMessage }, LEASE_SECONDS);
    } catch (err) {
      this.logger.error({ err: describe(err), kind: mail.kind }, 'could not queue mail');
      return;
    }
    if (this.stopped) return; // shutting down: a sweep sends it once its lease is over
    const sending = this.send(id, mail.kind, mail.to, sealedMessage, 1)
      .catch((err) => this.logger.error({ err: describe(err), kind: mail.kind }, 'mail not sent; a sweep retries it'))
      .finally(() => this.sending.delete(sending));
    this.sending.add(sending);
  }

  /** Sends what is due now, in the background; a kick while a pass runs makes another pass after it. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .catch((err) => this.logger.error({ err: describe(err) }, 'mail outbox pass failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Resolves once nothing is being sent (every message queued so far has had its attempt; shutdown, tests). */
  async idle(): Promise<void> {
    while (this.running || this.sending.size > 0) await Promise.all([this.running, ...this.sending]);
  }

  /** Sends every message due, batch by batch. */
  async drain(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const batch = await this.outbox.claimDue(BATCH, LEASE_SECONDS);
      for (const row of batch) await this.send(row.id, row.kind, row.recipient, row.sealedMessage, row.attempts);
      if (batch.length < BATCH) return;
    }
  }

  private async send(id: string, kind: string, to: string, sealed: string, attempts: number): Promise<void> {
    try {
      const content = JSON.parse(this.sealing.decrypt(sealed)) as Omit<MailContent, 'to'>;
      await this.mailer.deliver(kind, { ...content, to });
    } catch (err) {
      const error = describe(err);
      if (attempts >= this.config.mail.maxAttempts) {
        this.logger.error({ kind, attempts, error }, 'mail given up');
        await this.outbox.giveUp(id, error);
      } else {
        const retryIn = Math.min(this.config.mail.retryBaseSeconds * 2 ** (attempts - 1), MAX_BACKOFF_SECONDS);
        this.logger.warn({ kind, attempts, retryIn, error }, 'mail not sent; retrying later');
        await this.outbox.retryLater(id, retryIn, error);
      }
      return;
    }
    await this.outbox.delete(id);
  }
}

/** An error's class and message (a relay's answer), never a stack or the message sent. */
function describe(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
