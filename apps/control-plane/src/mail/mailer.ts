import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { CONTROL_PLANE_CONFIG, ControlPlaneConfig } from '../config/control-plane.config';

/** One message, as composed for a recipient. */
export interface MailContent {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Where mail goes: an SMTP relay, a folder of .eml files, or nowhere (logged only). */
export type MailMode = 'smtp' | 'outbox' | 'log';

/**
 * Delivers one message through nodemailer: over SMTP when SMTP_URL is set; else composed by
 * nodemailer's stream transport and written to MAIL_OUTBOX_DIR as `<UTC time>-<random>-<recipient>.eml`
 * (sortable by time; written under a temporary name and renamed, so a reader never sees half a
 * file); else only logged, with its kind and the recipient's domain, never its content.
 */
@Injectable()
export class Mailer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(Mailer.name);
  readonly mode: MailMode;
  private readonly transport?: Transporter;
  private readonly outboxDir?: string;
  private readonly from: string;

  constructor(@Inject(CONTROL_PLANE_CONFIG) config: ControlPlaneConfig) {
    this.from = config.mail.from;
    if (config.mail.smtpUrl) {
      this.mode = 'smtp';
      // Short timeouts (nodemailer's are minutes): a relay that hangs delays the queue, and a shutdown, by seconds only.
      this.transport = createTransport({ url: config.mail.smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 });
    } else if (config.mail.outboxDir) {
      this.mode = 'outbox';
      this.outboxDir = config.mail.outboxDir;
      this.transport = createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    } else {
      this.mode = 'log';
    }
  }

  onApplicationBootstrap(): void {
    if (this.mode === 'log') {
      this.logger.warn('No SMTP_URL or MAIL_OUTBOX_DIR: mail (password reset links, temporary passwords) is not delivered, only logged');
    } else {
      this.logger.log(this.mode === 'smtp' ? 'Mail goes through the SMTP relay of SMTP_URL' : `Mail is written to ${this.outboxDir} (one .eml per message)`);
    }
  }

  onApplicationShutdown(): void {
    this.transport?.close();
  }

  /** Sends the message; throws when the relay refuses it or cannot be reached (the outbox retries). */
  async deliver(kind: string, mail: MailContent): Promise<void> {
    if (!this.transport) {
      this.logger.log({ kind, recipientDomain: mail.to.split('@').pop() }, 'mail not delivered (no SMTP_URL or MAIL_OUTBOX_DIR)');
      return;
    }
    const info: { message?: unknown } = await this.transport.sendMail({ from: this.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
    if (this.mode === 'outbox') await this.writeEml(mail.to, info.message as Buffer);
  }

  private async writeEml(to: string, message: Buffer): Promise<void> {
    const dir = this.outboxDir!;
    await mkdir(dir, { recursive: true });
    const time = new Date().toISOString().replace(/[-:.]/g, '');
    const recipient = to.toLowerCase().replace('@', '_at_').replace(/[^a-z0-9._-]/g, '_').slice(0, 80);
    const name = `${time}-${randomBytes(3).toString('hex')}-${recipient}.eml`;
    const partial = join(dir, `.${name}.partial`);
    await writeFile(partial, message, { mode: 0o600 });
    await rename(partial, join(dir, name));
  }
}
