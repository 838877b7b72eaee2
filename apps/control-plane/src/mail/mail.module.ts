import { Global, Module } from '@nestjs/common';
import { MailOutbox } from './mail-outbox';
import { MailOutboxRepository } from './mail-outbox.repository';
import { Mailer } from './mailer';

/** Mail for every module: queue a message with MailOutbox (mail-templates.ts composes them). */
@Global()
@Module({ providers: [Mailer, MailOutbox, MailOutboxRepository], exports: [MailOutbox, Mailer] })
export class MailModule {}
