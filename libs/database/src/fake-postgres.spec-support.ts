import { createServer, Server, Socket } from 'node:net';

/**
 * Just enough of the Postgres wire protocol for the pg client: trust authentication, and simple
 * queries answered with an empty result. `frozen` makes it read and never answer (a server
 * process that stopped: the kernel still accepts and buffers); `hang` does that for queries whose
 * text contains it.
 */
export class FakePostgres {
  frozen = false;
  readonly queries: string[] = [];
  connections = 0;
  closed = 0;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  private constructor(readonly port: number, server: Server) {
    this.server = server;
  }

  static async start(hang = 'pg_sleep'): Promise<FakePostgres> {
    const holder: { fake?: FakePostgres } = {};
    const server = createServer((socket) => holder.fake?.serve(socket, hang));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.fake = new FakePostgres((server.address() as { port: number }).port, server);
    return holder.fake;
  }

  get url(): string {
    return `postgres://fake@127.0.0.1:${this.port}/fake`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(socket: Socket, hang: string): void {
    this.connections += 1;
    this.sockets.add(socket);
    socket.on('close', () => {
      this.closed += 1;
      this.sockets.delete(socket);
    });
    socket.on('error', () => undefined);
    let buffer = Buffer.alloc(0);
    let started = false;
    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        if (this.frozen) return; // read, never answered
        if (!started) {
          if (buffer.length < 4) return;
          const length = buffer.readInt32BE(0);
          if (buffer.length < length) return;
          buffer = buffer.subarray(length);
          started = true;
          socket.write(Buffer.concat([message('R', int32(0)), readyForQuery()]));
          continue;
        }
        if (buffer.length < 5) return;
        const type = String.fromCharCode(buffer[0]);
        const length = buffer.readInt32BE(1);
        if (buffer.length < length + 1) return;
        const body = buffer.subarray(5, length + 1);
        buffer = buffer.subarray(length + 1);
        if (type === 'X') {
          socket.end();
          return;
        }
        if (type !== 'Q') continue;
        const sql = body.subarray(0, body.length - 1).toString();
        this.queries.push(sql);
        if (sql.includes(hang)) continue;
        socket.write(Buffer.concat([message('C', Buffer.from('SELECT 0\0')), readyForQuery()]));
      }
    });
  }
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

function message(type: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(type), int32(body.length + 4), body]);
}

function readyForQuery(): Buffer {
  return message('Z', Buffer.from('I'));
}
