import { spawn } from 'node:child_process';
import { join } from 'node:path';
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
}

/**
 * An open-loop round: request i is due at start + i / rate, and its latency is measured from
 * that due time to the end of its answer, so time spent waiting for a free connection (or for
 * a late client) counts. Unlike a closed loop, the offered load does not fall when answers slow
 * down, and unlike autocannon's per-second rate cap, requests are not sent in bursts: what it
 * measures is the latency a request sees at that load.
 */
export async function runPacedRound(options: PacedRoundOptions): Promise<RoundResult> {
  const pool = new Pool(options.baseUrl, { connections: options.connections, pipelining: 1, keepAliveTimeout: 60_000 });
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
  const start = performance.now();
  for (let i = 0; i < total; i += 1) {
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    inFlight.push(send(i, due));
  }
  await Promise.all(inFlight);
  const seconds = (performance.now() - start) / 1000;
  await pool.close();
  return { ok, failed, statusCounts, seconds, rps: ok / seconds, latencies };
}

/**
 * runPacedRound in a child process (another client, with its own event loop). Resolves once the
 * child has started and is waiting, with `go()`, which starts its round and resolves with the
 * round's result (without latencies).
 */
export async function preparePacedRoundElsewhere(options: PacedRoundOptions): Promise<{ go: () => Promise<Omit<RoundResult, 'latencies'>> }> {
  const child = spawn(process.execPath, [join(__dirname, 'paced-load-child.js'), JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    const check = () => (out.startsWith('ready\n') ? resolve() : undefined);
    child.stdout.on('data', check);
    void exited.then((code) => reject(new Error(`paced load child exited (${code}) before it was ready`)));
  });
  return {
    go: async () => {
      child.stdin.write('go\n');
      const code = await exited;
      if (code !== 0) throw new Error(`paced load child failed (exit ${code})`);
      return JSON.parse(out.slice('ready\n'.length));
    },
  };
}
