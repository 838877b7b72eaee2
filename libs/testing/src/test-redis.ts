import { ChildProcess, spawn } from 'node:child_process';
import Redis from 'ioredis';
import { freePort } from './test-database';

/** A Redis of a test's own, to be frozen or stopped without touching the machine's shared one. */
export interface PrivateRedis {
  url: string;
  /** A client of the test's own (not for the code under test). */
  client: Redis;
  /** SIGSTOP: its socket still accepts connections, nothing answers. A Redis that hangs. */
  freeze(): void;
  thaw(): void;
  stop(): Promise<void>;
}

/** Starts `redis-server` (from the machine's packages, as in CI) on a free port, keeping nothing on disk. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (err) => reject(new Error(`redis-server could not start (apt-get install redis-server): ${err.message}`)));
    child.once('exit', (code) => reject(new Error(`redis-server exited at start (code ${code})`)));
  });
  failed.catch(() => undefined); // only the start awaits it
  const url = `redis://127.0.0.1:${port}`;
  const client = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: (attempt) => (attempt > 50 ? null : 100) });
  client.on('error', () => undefined);
  try {
    await Promise.race([client.ping(), failed]);
  } catch (err) {
    client.disconnect();
    throw err;
  }
  const thaw = () => void child.kill('SIGCONT');
  return {
    url,
    client,
    freeze: () => void child.kill('SIGSTOP'),
    thaw,
    stop: async () => {
      client.disconnect();
      if (child.exitCode === null && child.signalCode === null) {
        thaw(); // a frozen process would hold the SIGTERM until then
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}
