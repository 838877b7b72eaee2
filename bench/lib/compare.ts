import { RunningApi } from './api';
import { CpuMeter, CpuTarget } from './cpu';
import { runRound, RoundResult } from './load';
import { fmt, log } from './report';
import { mean, percentile, sortedCopy } from './stats';

export interface Endpoint {
  name: string;
  /** Cycled through by every connection. */
  paths: string[];
  /** The caller's token, when not the plan's. */
  token?: string;
}

export interface LoadPlan {
  token: string;
  connections: number;
  warmupSeconds: number;
  rounds: number;
  roundSeconds: number;
}

export interface Measured {
  endpoint: string;
  variant: string;
  rounds: RoundResult[];
  /** 2xx responses per second over every measured round. */
  rps: number;
  roundRps: number[];
  p50: number;
  p90: number;
  p99: number;
  /** CPU ms per 2xx response: the API process and the Postgres backends of its pool (null: not measurable). */
  apiCpuPerReq: number | null;
  pgCpuPerReq: number | null;
  /** p99 of each round on its own. */
  roundP99: number[];
  failed: number;
  statusCounts: Record<string, number>;
}

interface MeasuredRound extends RoundResult {
  apiCpuMs: number | null;
  pgCpuMs: number | null;
}

function cpuPerReq(rounds: MeasuredRound[], key: 'apiCpuMs' | 'pgCpuMs'): number | null {
  if (rounds.some((r) => r[key] === null)) return null;
  return rounds.reduce((n, r) => n + (r[key] ?? 0), 0) / rounds.reduce((n, r) => n + r.ok, 0);
}

function summarize(endpoint: string, variant: string, rounds: MeasuredRound[]): Measured {
  const ok = rounds.reduce((n, r) => n + r.ok, 0);
  const seconds = rounds.reduce((n, r) => n + r.seconds, 0);
  const latencies = sortedCopy(rounds.flatMap((r) => r.latencies));
  const statusCounts: Record<string, number> = {};
  for (const r of rounds) for (const [k, v] of Object.entries(r.statusCounts)) statusCounts[k] = (statusCounts[k] ?? 0) + v;
  return {
    endpoint,
    variant,
    rounds,
    rps: ok / seconds,
    roundRps: rounds.map((r) => r.rps),
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    apiCpuPerReq: cpuPerReq(rounds, 'apiCpuMs'),
    pgCpuPerReq: cpuPerReq(rounds, 'pgCpuMs'),
    roundP99: rounds.map((r) => percentile(sortedCopy(r.latencies), 99)),
    failed: rounds.reduce((n, r) => n + r.failed, 0),
    statusCounts,
  };
}

/**
 * Drives one endpoint on two (or more) APIs: a warm-up round on each, then `rounds` measured
 * rounds each, interleaved in ABBA order (A B, B A, A B, …) so that drift in the machine (other
 * load, autovacuum, caches) falls on both sides alike.
 */
export interface Variant {
  label: string;
  api: RunningApi;
  /** Where its Postgres backends are (for CPU per request). */
  cpu: Omit<CpuTarget, 'apiPid'>;
}

export async function interleave(bench: string, meter: CpuMeter, variants: Variant[], endpoint: Endpoint, plan: LoadPlan): Promise<Measured[]> {
  const base = { token: endpoint.token ?? plan.token, paths: endpoint.paths, connections: plan.connections };
  for (const v of variants) {
    const warm = await runRound({ ...base, baseUrl: v.api.baseUrl, seconds: plan.warmupSeconds });
    log(`${bench} ${endpoint.name} warm-up ${v.label}: ${fmt(warm.rps)} req/s${warm.failed ? `, ${warm.failed} failed` : ''}`);
  }
  const results = new Map<string, MeasuredRound[]>(variants.map((v) => [v.label, []]));
  for (let i = 0; i < plan.rounds; i += 1) {
    const order = i % 2 === 0 ? variants : [...variants].reverse();
    for (const v of order) {
      const target = { ...v.cpu, apiPid: v.api.pid };
      const before = await meter.snapshot(target);
      const round = await runRound({ ...base, baseUrl: v.api.baseUrl, seconds: plan.roundSeconds });
      const cpu = CpuMeter.delta(before, await meter.snapshot(target));
      const r: MeasuredRound = { ...round, apiCpuMs: cpu.api, pgCpuMs: cpu.pg };
      results.get(v.label)!.push(r);
      const lat = sortedCopy(r.latencies);
      log(
        `${bench} ${endpoint.name} round ${i + 1}/${plan.rounds} ${v.label}: ${fmt(r.rps)} req/s, ` +
          `p50 ${fmt(percentile(lat, 50), 2)} ms, p99 ${fmt(percentile(lat, 99), 2)} ms, ` +
          `cpu/req api ${r.apiCpuMs === null ? 'n/a' : fmt(r.apiCpuMs / r.ok, 2)} ms pg ${r.pgCpuMs === null ? 'n/a' : fmt(r.pgCpuMs / r.ok, 2)} ms${r.failed ? `, ${r.failed} failed ${JSON.stringify(r.statusCounts)}` : ''}`,
      );
    }
  }
  return variants.map((v) => summarize(endpoint.name, v.label, results.get(v.label)!));
}

/** Ratio of each measured A round to the B round next to it (the spread of the paired ratios). */
export function pairedRatios(a: number[], b: number[]): number[] {
  return a.map((x, i) => x / b[i]);
}

export { mean };
