import { AddressInfo, createServer, Server, Socket } from 'node:net';

export interface ReceivedMail {
  user: string | null;
  from: string;
  to: string[];
  /** The message as sent (headers and body, dot-unstuffed). */
  data: string;
}

/**
 * A minimal SMTP relay on 127.0.0.1 for tests (EHLO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, QUIT): the
 * real nodemailer SMTP transport talks to it. `refuse` > 0 answers that many messages 451 (a relay
 * that is having trouble), after their data.
 */
export class FakeSmtp {
  readonly received: ReceivedMail[] = [];
  refuse = 0;
  private server?: Server;
  private readonly sockets = new Set<Socket>();

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  async start(): Promise<this> {
    this.server = createServer((socket) => this.session(socket));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private session(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    const reply = (line: string) => socket.write(`${line}\r\n`);
    let user: string | null = null;
    let mail: ReceivedMail | null = null;
    let data: string[] | null = null;
    let awaitingAuth = false;
    let buffered = '';

    const authPlain = (b64: string) => {
      const [, name] = Buffer.from(b64, 'base64').toString('utf8').split('\u0000');
      user = name ?? null;
      reply('235 2.7.0 Authentication successful');
    };

    const line = (text: string) => {
      if (data) {
        if (text !== '.') return void data.push(text.startsWith('..') ? text.slice(1) : text);
        const done = { ...mail!, data: data.join('\r\n') };
        data = null;
        mail = null;
        if (this.refuse > 0) {
          this.refuse -= 1;
          return void reply('451 4.3.0 Try again later');
        }
        this.received.push(done);
        return void reply('250 2.0.0 Queued');
      }
      if (awaitingAuth) {
        awaitingAuth = false;
        return authPlain(text);
      }
      const [verb, ...rest] = text.split(' ');
      switch (verb.toUpperCase()) {
        case 'EHLO':
          return void socket.write('250-fake.smtp\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n');
        case 'HELO':
          return reply('250 fake.smtp');
        case 'AUTH':
          if (rest[1]) return authPlain(rest[1]);
          awaitingAuth = true;
          return reply('334 ');
        case 'MAIL':
          mail = { user, from: text.replace(/^MAIL FROM:\s*/i, ''), to: [], data: '' };
          return reply('250 2.1.0 Ok');
        case 'RCPT':
          mail?.to.push(text.replace(/^RCPT TO:\s*/i, ''));
          return reply('250 2.1.5 Ok');
        case 'DATA':
          data = [];
          return reply('354 End data with <CR><LF>.<CR><LF>');
        case 'RSET':
          mail = null;
          return reply('250 2.0.0 Ok');
        case 'NOOP':
          return reply('250 2.0.0 Ok');
        case 'QUIT':
          reply('221 2.0.0 Bye');
          return void socket.end();
        default:
          return reply('502 5.5.2 Command not recognized');
      }
    };

    socket.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      let end: number;
      while ((end = buffered.indexOf('\r\n')) >= 0) {
        const text = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        line(text);
      }
    });
    reply('220 fake.smtp ESMTP');
  }
}
