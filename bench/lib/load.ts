import autocannon from 'autocannon';

export interface RoundOptions {
  baseUrl: string;
  token: string;
  /** Paths cycled through by every connection. */
  paths: string[];
  /** Requests with a method and a JSON body, cycled through instead of GETs of `paths` when given. */
  requests?: { method: 'POST' | 'PUT' | 'PATCH'; path: string; body: unknown }[];
  connections: number;
  seconds: number;
}

export interface RoundResult {
  ok: number;
  failed: number;
  statusCounts: Record<string, number>;
  seconds: number;
  rps: number;
  /** Latency of every 2xx response, in ms (sub-millisecond resolution). */
  latencies: number[];
}

/**
 * One fixed-duration, fixed-concurrency round of real HTTP load (autocannon, no pipelining).
 * Latencies are taken from autocannon's per-response event rather than its histogram, which
 * rounds to whole milliseconds.
 */
export async function runRound(options: RoundOptions): Promise<RoundResult> {
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
    headers: { authorization: `Bearer ${options.token}`, accept: 'application/json' },
    requests: options.requests
      ? options.requests.map((r) => ({ method: r.method, path: r.path, body: JSON.stringify(r.body), headers: { 'content-type': 'application/json' } }))
      : options.paths.map((path) => ({ method: 'GET', path })),
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
