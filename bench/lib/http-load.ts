import autocannon from 'autocannon';
import type { RoundResult } from './load';

export interface HeaderRoundOptions {
  baseUrl: string;
  /** Sent with every request (a `host` entry replaces the one autocannon derives from the URL). */
  headers: Record<string, string>;
  /** Paths cycled through by every connection. */
  paths: string[];
  connections: number;
  seconds: number;
}

/**
 * load.ts's runRound with free-form headers (a Host header, for a proxy that routes on it).
 * Same measurement: a fixed-duration, fixed-concurrency round with no pipelining; latencies
 * from autocannon's per-response event (sub-millisecond), not its whole-millisecond histogram.
 */
export async function runHeaderRound(options: HeaderRoundOptions): Promise<RoundResult> {
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  let ok = 0;
  let failed = 0;
  const instance = autocannon({
    url: options.baseUrl,
    connections: options.connections,
    pipelining: 1,
    duration: options.seconds,
    timeout: 30,
    headers: options.headers,
    requests: options.paths.map((path) => ({ method: 'GET', path })),
  });
  instance.on('response', (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
    statusCounts[statusCode] = (statusCounts[statusCode] ?? 0) + 1;
    if (statusCode >= 200 && statusCode < 300) {
      ok += 1;
      latencies.push(responseTime);
    } else {
      failed += 1;
    }
  });
  instance.on('reqError', () => {
    failed += 1;
    statusCounts.error = (statusCounts.error ?? 0) + 1;
  });
  const result = await instance;
  const seconds = result.duration;
  return { ok, failed, statusCounts, seconds, rps: ok / seconds, latencies };
}
