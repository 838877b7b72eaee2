import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import type { RoundResult } from './load';

export interface PacedRoundOptions {
  baseUrl: string;
  /** Sent with every request (a `host` entry is sent as the Host header). */
  headers: Record<string, string>;
  /** Paths cycled through. */
  paths: string[];
  /** Keep-alive connections the requests are spread over (a request waits when all are busy). */
  connections: number;
  seconds: number;
  /** Requests per second, sent at evenly spaced times whatever the answers do (an open loop). */
  rate: number;
  /**
   * The first request is due this long after the round starts (default 0): where in each
   * 1/rate interval this client's requests fall, for clients that do not send in step.
   */
  phaseMs?: number;
}

/**
 * An open-loop round: request i is due at start + i / rate, and its latency is measured from
 * that due time to the end of its answer, so time spent waiting for a free connection (or for
 * a late client) counts. Unlike a closed loop, the offered load does not fall when answers slow
 * down, and unlike autocannon's per-second rate cap, requests are not sent in bursts: what it
 * measures is the latency a request sees at that load.
 */
export async function runPacedRound(options: PacedRoundOptions): Promise<RoundResult> {
  const client = new PacedClient();
  try {
    return await client.round(options);
  } finally {
    await client.close();
  }
}

/** A paced round over `pool` (its connections opened by an earlier round are used again). */
async function pacedRoundOn(pool: Pool, options: PacedRoundOptions): Promise<RoundResult> {
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  let ok = 0;
  let failed = 0;
  const total = Math.floor(options.rate * options.seconds);
  const interval = 1000 / options.rate;
  const inFlight: Promise<void>[] = [];
  const send = (i: number, due: number) =>
    pool
      .request({ method: 'GET', path: options.paths[i % options.paths.length], headers: options.headers })
      .then(async (res) => {
        await res.body.dump();
        const key = String(res.statusCode);
        statusCounts[key] = (statusCounts[key] ?? 0) + 1;
        if (res.statusCode >= 200 && res.statusCode < 300) {
          ok += 1;
          latencies.push(performance.now() - due);
        } else {
          failed += 1;
        }
      })
      .catch(() => {
        failed += 1;
        statusCounts.error = (statusCounts.error ?? 0) + 1;
      });
  const start = performance.now() + (options.phaseMs ?? 0);
  for (let i = 0; i < total; i += 1) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    inFlight.push(send(i, due));
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - start) / 1000;
  return { ok, failed, statusCounts, seconds, rps: ok / seconds, latencies };
}

/**
 * A client that keeps its keep-alive connections from one round to the next (one pool per base
 * URL and connection count), as a client that never stops sending does.
 */
export class PacedClient {
  private readonly pools = new Map<string, Pool>();

  round(options: PacedRoundOptions): Promise<RoundResult> {
    const key = `${options.connections} ${options.baseUrl}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = new Pool(options.baseUrl, { connections: options.connections, pipelining: 1, keepAliveTimeout: 60_000 });
      this.pools.set(key, pool);
    }
    return pacedRoundOn(pool, options);
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
    this.pools.clear();
  }
}

/** Paced rounds run by another process (lib/paced-load-child.ts): another client, as another machine would be. */
export interface PacedClientElsewhere {
  /** Runs one round there; resolves with its result. */
  round(options: PacedRoundOptions): Promise<RoundResult>;
  close(): Promise<void>;
}

/**
 * Starts a PacedClient in a child process with its own event loop, kept for many rounds: its
 * start-up and its code's warm-up happen once (in a warm-up round), not at the start of every
 * measured round, and it keeps its connections between rounds, as a client that never stops
 * sending does. One round at a time.
 */
export async function startPacedClientElsewhere(): Promise<PacedClientElsewhere> {
  const child = spawn(process.execPath, [join(__dirname, 'paced-load-child.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let waiting: { resolve: (line: string) => void; reject: (err: Error) => void } | undefined;
  lines.on('line', (line) => {
    const w = waiting;
    waiting = undefined;
    w?.resolve(line);
  });
  void exited.then((code) => waiting?.reject(new Error(`paced load child exited (${code})`)));
  const next = () => new Promise<string>((resolve, reject) => (waiting = { resolve, reject }));
  if ((await next()) !== 'ready') throw new Error('paced load child did not start');
  return {
    round: async (options) => {
      const answer = next();
      child.stdin!.write(`${JSON.stringify(options)}\n`);
      const result = JSON.parse(await answer) as RoundResult & { error?: string };
      if (result.error) throw new Error(`paced load child: ${result.error}`);
      return result;
    },
    close: async () => {
      child.stdin!.end();
      await exited;
    },
  };
}
