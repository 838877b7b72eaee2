/**
 * gateway: what the gateway costs a request, next to a plain reverse proxy.
 *
 * One regional API (its own process) on a seeded database, and three ways to reach it, all
 * running at the same time and loaded in turn:
 *   A. direct: straight to the API;
 *   B. gateway: the built gateway (dist/apps/gateway/.../main.js) in its own process, in front
 *      of the API, with a stub control plane (region list, registry lookup, JWKS) and in-process
 *      caches (no Redis);
 *   C. nginx: a private nginx (worker_processes BENCH_NGINX_WORKERS, default 1) proxying to the
 *      same API over keep-alive upstream connections.
 * GET /v1/patients/:id at each connection count (10 and 50), rounds interleaved A B C, C B A, …
 * after a warm-up, in two phases:
 *   1. saturated: a closed loop (each connection sends its next request when the last answers),
 *      which gives the throughput of each path;
 *   2. fixed rate: an open loop (bench/lib/paced-load.ts) over the same number of keep-alive
 *      connections, requests sent at evenly spaced times at BENCH_GATEWAY_LOAD_FRACTION (default
 *      0.5) of the slowest path's saturated throughput, the same rate for all three; latency is
 *      measured from each request's due time, so waiting for a connection counts. This gives
 *      the latency each proxy adds to a request when the machine's two cores are not saturated.
 * Targets: the gateway's throughput is at least 0.8 of nginx's (phase 1), and it adds at most
 * 1 ms to p50 over direct (phase 2; phase 1's p50 difference is printed too: in a saturated
 * closed loop p50 is connections / throughput, so it restates the throughput gap).
 *
 * Then a noisy neighbour (phase 3): a second gateway with the production defaults (rate limit,
 * per-org concurrency cap, body and client timeouts) in front of the same API, a victim org
 * paced at BENCH_NOISY_VICTIM_RPS (default 100) over 10 connections, in rounds alone and rounds
 * beside an attacker org paced at its own rate limit (BENCH_NOISY_ORG_RPS, default 100),
 * BENCH_NOISY_ROUNDS (default 16) quiet and noisy rounds (BENCH_NOISY_ROUND_SECONDS, default 5)
 * interleaved Q N, N Q, … The victim and the attacker are clients in processes of their own,
 * started once and kept (with their connections) for every round, as clients on other machines
 * that never stop sending; the attacker's phase (where its requests fall between the victim's)
 * moves from round to round, as independent clients' would. Target: the victim's p99 beside the
 * attacker is at most 1.5 times its p99 alone (the median over pairs of neighbouring rounds, as
 * the other verdicts here; the pooled ratio is printed beside it), and no victim request fails.
 * Each round's line and the summary also give the API's garbage-collection pauses in those
 * rounds (the API records them: `observeGc`) and the CPU time the host took from this machine
 * (steal, from /proc/stat).
 */
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import { request } from 'undici';
import { TEST_AUDIENCE, TEST_ISSUER, TestIssuer } from '@medgenie/testing';
import { BenchControlPlane } from './lib/stub-control-plane';
import { RunningApi, startApi, summarizePauses } from './lib/api';
import { CpuMeter } from './lib/cpu';
import { dropBenchDatabase, prepareBenchDatabase, seedOrgs, startBenchPostgres, TestDatabase } from './lib/db';
import { orgId, patientId, REGION_ID, TARGET_ORG, userId } from './lib/fixture';
import { buildGateway, RunningGateway, startGatewayProcess } from './lib/gateway-process';
import { runHeaderRound } from './lib/http-load';
import { runPacedRound, startPacedClientElsewhere } from './lib/paced-load';
import { RoundResult } from './lib/load';
import { findNginx, RunningNginx, startNginx } from './lib/nginx';
import { hostStealMs, processesCpuMs } from './lib/proc';
import { fmt, log, print, table, verdict } from './lib/report';
import { knob } from './lib/settings';
import { median, percentile, sortedCopy } from './lib/stats';

const P50_BUDGET_MS = 1;
const THROUGHPUT_RATIO_TARGET = 0.8;
const NOISY_P99_RATIO_TARGET = 1.5;
/** The noisy neighbour: another org than the one measured. */
const ATTACKER_ORG = 2;

type SideKey = 'direct' | 'gateway' | 'nginx';

interface Side {
  key: SideKey;
  label: string;
  baseUrl: string;
  /** The proxy's processes (none for direct). */
  proxyPids: () => number[];
}

/** Below this share of the offered rate a path could not keep up, and its latencies are queueing. */
const SUSTAINED_SHARE = 0.95;

interface Round extends RoundResult {
  p50: number;
  p99: number;
  /** CPU ms over the round (null: not measurable). */
  proxyCpu: number | null;
  apiCpu: number | null;
  pgCpu: number | null;
  clientCpu: number;
}

interface Summary {
  side: Side;
  connections: number;
  rounds: Round[];
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  perReq: { proxy: number | null; api: number | null; pg: number | null; client: number };
  /** CPU of client + proxy + API + Postgres per wall-clock second: how many of the cores were busy. */
  coresBusy: number | null;
  failed: number;
  statusCounts: Record<string, number>;
}

function connectionCounts(): number[] {
  const raw = process.env.BENCH_GATEWAY_CONNECTIONS ?? '10,50';
  if (raw === 'none') return []; // the noisy-neighbour phase only
  const list = raw.split(',').map((s) => Number(s.trim()));
  if (!list.length || list.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`BENCH_GATEWAY_CONNECTIONS must be a list of positive integers, got ${JSON.stringify(raw)}`);
  return list;
}

function sum(values: (number | null)[]): number | null {
  return values.some((v) => v === null) ? null : values.reduce<number>((a, b) => a + (b ?? 0), 0);
}

function summarize(side: Side, connections: number, rounds: Round[]): Summary {
  const ok = rounds.reduce((n, r) => n + r.ok, 0);
  const seconds = rounds.reduce((n, r) => n + r.seconds, 0);
  const latencies = sortedCopy(rounds.flatMap((r) => r.latencies));
  const per = (key: 'proxyCpu' | 'apiCpu' | 'pgCpu') => {
    const total = sum(rounds.map((r) => r[key]));
    return total === null ? null : total / ok;
  };
  const statusCounts: Record<string, number> = {};
  for (const r of rounds) for (const [k, v] of Object.entries(r.statusCounts)) statusCounts[k] = (statusCounts[k] ?? 0) + v;
  const clientCpu = rounds.reduce((n, r) => n + r.clientCpu, 0);
  const allCpu = sum([sum(rounds.map((r) => r.proxyCpu)) ?? (side.key === 'direct' ? 0 : null), sum(rounds.map((r) => r.apiCpu)), sum(rounds.map((r) => r.pgCpu)), clientCpu]);
  return {
    side,
    connections,
    rounds,
    rps: ok / seconds,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    perReq: { proxy: side.key === 'direct' ? 0 : per('proxyCpu'), api: per('apiCpu'), pg: per('pgCpu'), client: clientCpu / ok },
    coresBusy: allCpu === null ? null : allCpu / (seconds * 1000),
    failed: rounds.reduce((n, r) => n + r.failed, 0),
    statusCounts,
  };
}

async function fetchAnswer(baseUrl: string, path: string, headers: Record<string, string>): Promise<{ status: number; text: string; body: unknown }> {
  const res = await request(`${baseUrl}${path}`, { headers });
  const text = await res.body.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text for the error message
  }
  return { status: res.statusCode, text, body };
}

/** Every side answers 200 with the very same patient, before anything is measured. */
async function assertSameAnswers(sides: Side[], paths: string[], headers: Record<string, string>): Promise<void> {
  for (const path of paths) {
    const answers = await Promise.all(sides.map((s) => fetchAnswer(s.baseUrl, path, headers)));
    for (const [i, a] of answers.entries()) {
      if (a.status !== 200) throw new Error(`${sides[i].label}: GET ${path} answered ${a.status}: ${a.text.slice(0, 300)}`);
      const id = (a.body as { id?: unknown })?.id;
      if (typeof id !== 'string' || !path.endsWith(id)) throw new Error(`${sides[i].label}: GET ${path}: not the patient asked for: ${a.text.slice(0, 300)}`);
    }
    const first = JSON.stringify(answers[0].body);
    for (const [i, a] of answers.entries()) {
      if (JSON.stringify(a.body) !== first) throw new Error(`GET ${path}: ${sides[i].label} and ${sides[0].label} answered differently:\n${a.text}\n${answers[0].text}`);
    }
  }
}

// Ctrl-C: exit through process.exit, so the 'exit' hooks kill the gateway and nginx (the API child leaves on disconnect).
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

async function main(): Promise<void> {
  const counts = connectionCounts();
  const patientsPerOrg = knob('BENCH_PATIENTS_PER_ORG', 200);
  const poolSize = knob('BENCH_POOL_SIZE', 10);
  const warmupSeconds = knob('BENCH_WARMUP_SECONDS', 3);
  const rounds = knob('BENCH_ROUNDS', 8);
  const roundSeconds = knob('BENCH_ROUND_SECONDS', 2);
  const nginxWorkers = knob('BENCH_NGINX_WORKERS', 1);
  const loadFraction = Number(process.env.BENCH_GATEWAY_LOAD_FRACTION ?? 0.5);
  if (!(loadFraction > 0 && loadFraction <= 1)) throw new Error('BENCH_GATEWAY_LOAD_FRACTION must be in (0, 1]');
  const gatewayNodeArgs = (process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);

  // Fail before any database work when a piece is missing.
  const nginxFound = findNginx();
  if (!nginxFound) throw new Error('nginx is not installed: apt-get update && apt-get install -y nginx (or set BENCH_NGINX_BIN)');
  const built = buildGateway();

  const pg = await startBenchPostgres();
  const issuer = await TestIssuer.create();
  let db: TestDatabase | undefined;
  let api: RunningApi | undefined;
  let cp: BenchControlPlane | undefined;
  let gateway: RunningGateway | undefined;
  let noisy: RunningGateway | undefined;
  let nginx: RunningNginx | undefined;
  let meter: CpuMeter | undefined;
  try {
    db = await prepareBenchDatabase(pg, 'gw');
    await seedOrgs(db, { orgs: 2, patientsPerOrg });
    api = await startApi({ label: 'api', databaseUrl: db.appUrl, poolSize, issuer, regionId: REGION_ID, observeGc: true });

    const serviceToken = randomBytes(24).toString('hex');
    cp = await new BenchControlPlane(serviceToken, issuer).start();
    const slug = `bench-org-${TARGET_ORG}`; // seedOrgs' slug
    cp.orgs.set(orgId(TARGET_ORG), { organizationId: orgId(TARGET_ORG), slug, regionId: REGION_ID, status: 'active', plan: 'enterprise' });
    const attackerSlug = `bench-org-${ATTACKER_ORG}`;
    cp.orgs.set(orgId(ATTACKER_ORG), { organizationId: orgId(ATTACKER_ORG), slug: attackerSlug, regionId: REGION_ID, status: 'active', plan: 'enterprise' });

    gateway = await startGatewayProcess(
      built.main,
      {
        CONTROL_PLANE_URL: cp.url,
        CONTROL_PLANE_SERVICE_TOKEN: serviceToken,
        REGION_API_URLS: JSON.stringify({ [REGION_ID]: api.baseUrl }),
        JWT_ISSUER: TEST_ISSUER,
        JWT_AUDIENCE: TEST_AUDIENCE,
        RATE_LIMIT_RPS: '1000000',
        RATE_LIMIT_BURST: '1000000',
        LOG_LEVEL: 'silent',
      },
      gatewayNodeArgs,
    );
    log(`gateway: pid ${gateway.pid} at ${gateway.baseUrl}${gatewayNodeArgs.length ? ` (node ${gatewayNodeArgs.join(' ')})` : ''}`);
    nginx = await startNginx({ upstream: api.baseUrl, workers: nginxWorkers, keepalive: 64 });
    log(`nginx ${nginx.version}: master pid ${nginx.pid}, ${nginx.workers} worker(s) at ${nginx.baseUrl}`);

    const token = await issuer.userToken({ userId: userId(TARGET_ORG), orgId: orgId(TARGET_ORG), regionId: REGION_ID, role: 'org_admin' });
    const host = `${slug}.${REGION_ID}.localhost`;
    const headers = { host, authorization: `Bearer ${token}`, accept: 'application/json' };
    const paths = Array.from({ length: 50 }, (_, i) => `/v1/patients/${patientId(TARGET_ORG, 1 + ((i * 37) % patientsPerOrg))}`);

    const gw = gateway;
    const ng = nginx;
    const sides: Side[] = [
      { key: 'direct', label: 'direct to the API', baseUrl: api.baseUrl, proxyPids: () => [] },
      { key: 'gateway', label: 'through the gateway', baseUrl: gw.baseUrl, proxyPids: () => [gw.pid] },
      { key: 'nginx', label: `through nginx (${nginxWorkers} worker${nginxWorkers > 1 ? 's' : ''})`, baseUrl: ng.baseUrl, proxyPids: () => ng.pids() },
    ];

    await assertSameAnswers(sides, paths.slice(0, 3), headers);
    if (cp.lookups < 1) throw new Error('the gateway answered without resolving the org host through the registry');
    const unknown = await fetchAnswer(gw.baseUrl, paths[0], { ...headers, host: `no-such-org.${REGION_ID}.localhost` });
    if (unknown.status !== 404) throw new Error(`the gateway answered an unknown org host with ${unknown.status}, expected 404`);
    log(`sanity: all three answer 200 with the same patient; the gateway resolved ${host} through the registry and answers an unknown org 404`);

    meter = await CpuMeter.open(pg.adminUrl);
    const apiTarget = { apiPid: api.pid, database: db.name, role: 'medgenie_app' };
    const m = meter;
    const measureRound = async (side: Side, connections: number, seconds: number, rate?: number): Promise<Round> => {
      const before = await m.snapshot(apiTarget);
      const proxyBefore = side.key === 'direct' ? 0 : processesCpuMs(side.proxyPids());
      const clientBefore = process.cpuUsage();
      const round = rate
        ? await runPacedRound({ baseUrl: side.baseUrl, headers, paths, connections, seconds, rate })
        : await runHeaderRound({ baseUrl: side.baseUrl, headers, paths, connections, seconds });
      const client = process.cpuUsage(clientBefore);
      const proxyAfter = side.key === 'direct' ? 0 : processesCpuMs(side.proxyPids());
      const cpu = CpuMeter.delta(before, await m.snapshot(apiTarget));
      const lat = sortedCopy(round.latencies);
      return {
        ...round,
        p50: percentile(lat, 50),
        p99: percentile(lat, 99),
        proxyCpu: proxyBefore === null || proxyAfter === null ? null : proxyAfter - proxyBefore,
        apiCpu: cpu.api,
        pgCpu: cpu.pg,
        clientCpu: (client.user + client.system) / 1000,
      };
    };

    /** One phase at one connection count: warm-up, then interleaved rounds A B C, C B A, … */
    const runPhase = async (connections: number, phase: string, rate?: number): Promise<Summary[]> => {
      for (const side of sides) {
        const warm = await measureRound(side, connections, warmupSeconds, rate);
        log(`gateway ${connections} conn ${phase} warm-up ${side.key}: ${fmt(warm.rps)} req/s${warm.failed ? `, ${warm.failed} failed ${JSON.stringify(warm.statusCounts)}` : ''}`);
      }
      const perSide = new Map<SideKey, Round[]>(sides.map((s) => [s.key, []]));
      for (let i = 0; i < rounds; i += 1) {
        const order = i % 2 === 0 ? sides : [...sides].reverse();
        for (const side of order) {
          const r = await measureRound(side, connections, roundSeconds, rate);
          perSide.get(side.key)!.push(r);
          log(
            `gateway ${connections} conn ${phase} round ${i + 1}/${rounds} ${side.key}: ${fmt(r.rps)} req/s, p50 ${fmt(r.p50, 2)} ms, p99 ${fmt(r.p99, 2)} ms, ` +
              `cpu/req proxy ${r.proxyCpu === null ? 'n/a' : fmt(r.proxyCpu / r.ok, 3)} api ${r.apiCpu === null ? 'n/a' : fmt(r.apiCpu / r.ok, 3)} ` +
              `pg ${r.pgCpu === null ? 'n/a' : fmt(r.pgCpu / r.ok, 3)} client ${fmt(r.clientCpu / r.ok, 3)} ms` +
              `${r.failed ? `, ${r.failed} failed ${JSON.stringify(r.statusCounts)}` : ''}`,
          );
        }
      }
      return sides.map((s) => summarize(s, connections, perSide.get(s.key)!));
    };

    /** Phase 3: the victim's p99 alone and beside an attacker org at its rate limit, through a gateway with the production limits. */
    const noisyNeighbour = async (): Promise<boolean> => {
      const orgRps = knob('BENCH_NOISY_ORG_RPS', 100);
      const victimRps = knob('BENCH_NOISY_VICTIM_RPS', 100);
      const noisySeconds = knob('BENCH_NOISY_ROUND_SECONDS', 5);
      const noisyRounds = knob('BENCH_NOISY_ROUNDS', 16);
      noisy = await startGatewayProcess(
        built.main,
        {
          CONTROL_PLANE_URL: cp!.url,
          CONTROL_PLANE_SERVICE_TOKEN: serviceToken,
          REGION_API_URLS: JSON.stringify({ [REGION_ID]: api!.baseUrl }),
          JWT_ISSUER: TEST_ISSUER,
          JWT_AUDIENCE: TEST_AUDIENCE,
          RATE_LIMIT_RPS: String(orgRps),
          RATE_LIMIT_BURST: String(orgRps * 2),
          LOG_LEVEL: 'silent',
        },
        gatewayNodeArgs,
      );
      const attackerToken = await issuer.userToken({ userId: userId(ATTACKER_ORG), orgId: orgId(ATTACKER_ORG), regionId: REGION_ID, role: 'org_admin' });
      const attackerHeaders = { host: `${attackerSlug}.${REGION_ID}.localhost`, authorization: `Bearer ${attackerToken}`, accept: 'application/json' };
      const attackerPaths = Array.from({ length: 50 }, (_, i) => `/v1/patients/${patientId(ATTACKER_ORG, 1 + ((i * 37) % patientsPerOrg))}`);
      // Two paths, measured in the same rounds: through the gateway, and straight to the API (no
      // gateway, no isolation at all: what the shared machine does to the victim's tail by itself).
      const noisyPaths = [
        { key: 'gateway', label: 'through the gateway', baseUrl: noisy.baseUrl },
        { key: 'direct', label: 'direct to the API (control)', baseUrl: api!.baseUrl },
      ];
      // The victim and the attacker are other clients: each a process of its own, as each would
      // be another machine (this process also runs the stub control plane the gateways call),
      // started (and its code warmed) once, not at the start of every measured round, and each
      // keeping its connections from round to round, as a client that never stops sending does.
      const [victim, attacker] = await Promise.all([startPacedClientElsewhere(), startPacedClientElsewhere()]);
      const victimRound = (baseUrl: string) => victim.round({ baseUrl, headers, paths, connections: 10, seconds: noisySeconds, rate: victimRps });
      // BENCH_NOISY_ATTACKER_VIA=direct (a diagnostic): the attacker sends straight to the API on
      // every path, so the gateway carries the victim's requests only.
      const attackerDirect = process.env.BENCH_NOISY_ATTACKER_VIA === 'direct';
      // Two clients paced at fixed rates and started together would send in step, every victim
      // request arriving with an attacker's; independent clients do not. Round k puts the
      // attacker's requests at a fraction frac(k * golden ratio) into each of its intervals, so
      // the rounds cover every phase evenly (in step included), the same in round k on both paths.
      const attackerPhaseMs = (k: number) => ((k * 0.6180339887498949) % 1) * (1000 / orgRps);
      const besideAttacker = async (baseUrl: string, k: number) => {
        const [v, a] = await Promise.all([
          victimRound(baseUrl),
          attacker.round({ baseUrl: attackerDirect ? api!.baseUrl : baseUrl, headers: attackerHeaders, paths: attackerPaths, connections: 50, seconds: noisySeconds, rate: orgRps, phaseMs: attackerPhaseMs(k) }),
        ]);
        return { v, a };
      };
      const measured = noisyPaths.map((path) => ({ path, quiet: [] as RoundResult[], loud: [] as RoundResult[], attacker: [] as RoundResult[] }));
      /** The API's garbage-collection pauses (ms, every kind) during the rounds alone and beside the attacker, both paths. */
      const apiGc = { quiet: [] as number[], loud: [] as number[] };
      /** CPU time the host took from this machine (/proc/stat steal, ms) and the rounds' seconds, alone and beside the attacker. */
      const steal = { quiet: { ms: 0, seconds: 0 }, loud: { ms: 0, seconds: 0 }, known: hostStealMs() !== null };
      try {
        for (const path of noisyPaths) await besideAttacker(path.baseUrl, 0); // warm-up: orgs resolved, tokens verified, connections open
        await api!.gcPauses(); // from here on, the API's collections during the measured rounds
        for (let i = 0; i < noisyRounds; i += 1) {
          for (const m of i % 2 === 0 ? measured : [...measured].reverse()) {
            for (const withAttacker of i % 2 === 0 ? [false, true] : [true, false]) {
              let r: RoundResult;
              const stealBefore = hostStealMs();
              if (withAttacker) {
                const { v, a } = await besideAttacker(m.path.baseUrl, i + 1);
                m.loud.push((r = v));
                m.attacker.push(a);
              } else {
                m.quiet.push((r = await victimRound(m.path.baseUrl)));
              }
              const stolen = stealBefore === null ? null : hostStealMs()! - stealBefore;
              const side = steal[withAttacker ? 'loud' : 'quiet'];
              side.ms += stolen ?? 0;
              side.seconds += r.seconds;
              const lat = sortedCopy(r.latencies);
              const gc = await api!.gcPauses();
              (withAttacker ? apiGc.loud : apiGc.quiet).push(...gc.young, ...gc.other);
              log(
                `gateway noisy neighbour round ${i + 1}/${noisyRounds} ${m.path.key} ${withAttacker ? `beside the attacker (phase ${fmt(attackerPhaseMs(i + 1), 1)} ms)` : 'alone'}: victim p50 ${fmt(percentile(lat, 50), 2)} ms, p99 ${fmt(percentile(lat, 99), 2)} ms${r.failed ? `, ${r.failed} failed ${JSON.stringify(r.statusCounts)}` : ''}; ` +
                  `API GC ${gc.young.length} scavenges (max ${fmt(Math.max(0, ...gc.young), 1)} ms), ${gc.other.length} other (max ${fmt(Math.max(0, ...gc.other), 1)} ms)` +
                  `${stolen === null ? '' : `; host steal ${fmt(stolen, 0)} ms`}`,
              );
            }
          }
        }
      } finally {
        await Promise.all([victim.close(), attacker.close()]);
      }
      const pooled = (list: RoundResult[]) => sortedCopy(list.flatMap((r) => r.latencies));
      const rate = (list: RoundResult[]) => fmt(list.reduce((n, r) => n + r.ok, 0) / list.reduce((n, r) => n + r.seconds, 0));
      const failedIn = (list: RoundResult[]) => list.reduce((n, r) => n + r.failed, 0);
      print();
      print(
        `gateway noisy neighbour: a gateway with the production limits (org rate limit ${orgRps}/s, burst ${orgRps * 2}); victim GET /v1/patients/:id at ${victimRps}/s over 10 connections, ` +
          `attacker org at its rate limit (${orgRps}/s over 50 connections, a process of its own${attackerDirect ? ', straight to the API on every path: BENCH_NOISY_ATTACKER_VIA=direct' : ''}, its phase moved round by round), ${noisyRounds} x ${noisySeconds} s rounds of each kind per path`,
      );
      const rows: (string | number)[][] = [];
      const verdicts = measured.map((m) => {
        const [q, l] = [pooled(m.quiet), pooled(m.loud)];
        rows.push([m.path.label, 'alone', rate(m.quiet), fmt(percentile(q, 50), 2), fmt(percentile(q, 90), 2), fmt(percentile(q, 99), 2), failedIn(m.quiet)]);
        rows.push([m.path.label, 'beside the attacker', rate(m.loud), fmt(percentile(l, 50), 2), fmt(percentile(l, 90), 2), fmt(percentile(l, 99), 2), failedIn(m.loud)]);
        const pairRatios = m.loud.map((r, i) => percentile(sortedCopy(r.latencies), 99) / percentile(sortedCopy(m.quiet[i].latencies), 99));
        const attackerStatus: Record<string, number> = {};
        for (const r of m.attacker) for (const [k, v] of Object.entries(r.statusCounts)) attackerStatus[k] = (attackerStatus[k] ?? 0) + v;
        return { m, ratio: median(pairRatios), pooledRatio: percentile(l, 99) / percentile(q, 99), pairRatios, attackerStatus, failed: failedIn(m.quiet) + failedIn(m.loud) };
      });
      print(table(['path', 'victim', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'failed'], rows));
      const [gw, control] = verdicts;
      const ok = gw.ratio <= NOISY_P99_RATIO_TARGET && gw.failed === 0;
      print(
        verdict(
          ok,
          `noisy neighbour: victim p99 beside the attacker / alone through the gateway = ${fmt(gw.ratio, 3)} (median of ${gw.pairRatios.length} paired rounds, range ${fmt(Math.min(...gw.pairRatios), 3)}..${fmt(Math.max(...gw.pairRatios), 3)}; all rounds pooled ${fmt(gw.pooledRatio, 3)}), ` +
            `target <= ${NOISY_P99_RATIO_TARGET}; attacker answers ${JSON.stringify(gw.attackerStatus)}${gw.failed ? ` [${gw.failed} victim requests failed]` : ''}`,
        ),
      );
      print(
        `info  noisy neighbour, control (no gateway, both orgs straight to the API on this machine): ratio ${fmt(control.ratio, 3)} (range ${fmt(Math.min(...control.pairRatios), 3)}..${fmt(Math.max(...control.pairRatios), 3)}; pooled ${fmt(control.pooledRatio, 3)})`,
      );
      const gcSummary = (pauses: number[]) => {
        const { n, total, p50, max } = summarizePauses(pauses);
        return n === 0 ? 'no pauses' : `${n} pauses, p50 ${fmt(p50, 1)} ms, max ${fmt(max, 1)} ms, ${fmt(total, 0)} ms in all`;
      };
      print(`info  noisy neighbour, the API's garbage collection: alone ${gcSummary(apiGc.quiet)}; beside the attacker ${gcSummary(apiGc.loud)}`);
      if (steal.known) {
        const perSecond = (s: { ms: number; seconds: number }) => fmt(s.ms / Math.max(s.seconds, 1e-9), 0);
        print(`info  noisy neighbour, CPU the host took from this machine (steal): alone ${perSecond(steal.quiet)} ms/s, beside the attacker ${perSecond(steal.loud)} ms/s, of ${cpus().length * 1000} ms/s`);
      }
      return ok;
    };

    const results: Summary[][] = [];
    const fixedRate: { rate: number; level: Summary[] }[] = [];
    for (const connections of counts) {
      const saturated = await runPhase(connections, 'saturated');
      results.push(saturated);
      const rate = Math.max(1, Math.floor(loadFraction * Math.min(...saturated.map((s) => s.rps))));
      fixedRate.push({ rate, level: await runPhase(connections, `at ${rate} req/s`, rate) });
    }

    const cpuCell = (v: number | null) => (v === null ? 'n/a' : fmt(v, 3));
    print();
    print(
      `gateway: GET /v1/patients/:id (50 patients of 1 org x ${patientsPerOrg}), API pool ${poolSize}, ` +
        `${rounds} x ${roundSeconds} s rounds per path (A B C, C B A, ...) after ${warmupSeconds} s warm-up, at ${counts.join(' and ')} connections`,
    );
    print(
      `  gateway: ${process.env.BENCH_GATEWAY_MAIN ? `BENCH_GATEWAY_MAIN=${built.main}` : 'built main.js'} in its own process (${built.fresh ? 'built by this run' : `build of ${built.builtAt.toISOString()}`}), ` +
        `no Redis, stub control plane; nginx ${nginxFound.version}: worker_processes ${nginxWorkers}, upstream keepalive 64`,
    );
    print(`  one machine: the client (autocannon), the proxy, the API and Postgres share its ${cpus().length} cpus`);
    print();
    const rows: (string | number)[][] = [];
    const phases = results.flatMap((level, i) => [
      { load: 'saturated', level },
      { load: `${fixedRate[i].rate}/s`, level: fixedRate[i].level },
    ]);
    for (const { load, level } of phases) {
      for (const s of level) {
        rows.push([
          s.connections,
          load,
          s.side.label,
          fmt(s.rps),
          `${fmt(Math.min(...s.rounds.map((r) => r.rps)), 0)}-${fmt(Math.max(...s.rounds.map((r) => r.rps)), 0)}`,
          fmt(s.p50, 2),
          fmt(s.p90, 2),
          fmt(s.p99, 2),
          s.side.key === 'direct' ? '-' : cpuCell(s.perReq.proxy),
          cpuCell(s.perReq.api),
          cpuCell(s.perReq.pg),
          cpuCell(s.perReq.client),
          s.coresBusy === null ? 'n/a' : fmt(s.coresBusy, 2),
          s.failed,
        ]);
      }
    }
    print(
      table(
        ['conns', 'offered', 'path', 'req/s', 'round req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'proxy cpu ms/req', 'API cpu ms/req', 'PG cpu ms/req', 'client cpu ms/req', 'cores busy', 'failed'],
        rows,
      ),
    );
    print();
    let allPass = true;
    /** Median over cycles of a side's p50 minus direct's: the three rounds of a cycle ran next to each other in time. */
    const addedP50 = (level: Summary[], key: SideKey) => {
      const direct = level[0];
      const side = level.find((s) => s.side.key === key)!;
      return side.rounds.map((r, i) => r.p50 - direct.rounds[i].p50);
    };
    const range = (values: number[], digits: number) => `${fmt(Math.min(...values), digits)}..${fmt(Math.max(...values), digits)}`;
    for (const [i, level] of results.entries()) {
      const [direct, gw2, nx] = level;
      const c = direct.connections;
      const { rate, level: fixed } = fixedRate[i];
      const failed = [...level, ...fixed].reduce((n, s) => n + s.failed, 0);
      const failedNote = failed ? ' [requests failed]' : '';

      const ratios = gw2.rounds.map((r, j) => r.rps / nx.rounds[j].rps);
      const ratio = median(ratios);
      const okThroughput = ratio >= THROUGHPUT_RATIO_TARGET && failed === 0;
      const proxyCpu =
        gw2.perReq.proxy !== null && nx.perReq.proxy !== null
          ? `; proxy CPU/req gateway ${fmt(gw2.perReq.proxy, 3)} ms vs nginx ${fmt(nx.perReq.proxy, 3)} ms (x${fmt(gw2.perReq.proxy / nx.perReq.proxy, 1)})`
          : '';
      print(
        verdict(
          okThroughput,
          `${c} connections, saturated: throughput gateway/nginx = ${fmt(ratio, 3)} (median of ${ratios.length} paired cycles, range ` +
            `${range(ratios, 3)}; all rounds pooled ${fmt(gw2.rps / nx.rps, 3)}), target >= ${THROUGHPUT_RATIO_TARGET}` +
            `${proxyCpu}; gateway/direct = ${fmt(gw2.rps / direct.rps, 3)}, nginx/direct = ${fmt(nx.rps / direct.rps, 3)}${failedNote}`,
        ),
      );

      const sustained = fixed.every((s) => s.rps >= SUSTAINED_SHARE * rate);
      const added = addedP50(fixed, 'gateway');
      const okLatency = median(added) <= P50_BUDGET_MS && sustained && failed === 0;
      print(
        verdict(
          okLatency,
          `${c} connections at ${rate} req/s offered (${loadFraction} of the slowest path's saturated throughput): gateway adds ` +
            `${fmt(median(added), 2)} ms to p50 over direct (median of ${added.length} paired cycles, range ${range(added, 2)}; ` +
            `p50 ${fmt(fixed[1].p50, 2)} vs ${fmt(fixed[0].p50, 2)} ms, p99 ${fmt(fixed[1].p99, 2)} vs ${fmt(fixed[0].p99, 2)} ms), target <= ${P50_BUDGET_MS} ms; ` +
            `nginx adds ${fmt(median(addedP50(fixed, 'nginx')), 2)} ms` +
            `${sustained ? '' : ` [a path did not sustain the offered rate: ${fixed.map((s) => `${s.side.key} ${fmt(s.rps)}`).join(', ')} req/s]`}${failedNote}`,
        ),
      );
      const addedSaturated = addedP50(level, 'gateway');
      print(
        `info  ${c} connections, saturated: gateway p50 - direct p50 = ${fmt(median(addedSaturated), 2)} ms (range ${range(addedSaturated, 2)}), ` +
          `nginx ${fmt(median(addedP50(level, 'nginx')), 2)} ms; in a saturated closed loop p50 ~ connections / throughput, so this restates ` +
          `the throughput gap (${c}/${fmt(gw2.rps)} - ${c}/${fmt(direct.rps)} = ${fmt((c / gw2.rps - c / direct.rps) * 1000, 2)} ms)`,
      );
      allPass &&= okLatency && okThroughput;
    }
    const noisyOk = await noisyNeighbour(); // run whatever the other verdicts were
    allPass &&= noisyOk;
    print(allPass ? 'gateway: all targets met' : 'gateway: a target was missed');
  } finally {
    await gateway?.close();
    await noisy?.close();
    await nginx?.close();
    await api?.close();
    await cp?.stop();
    if (db) await dropBenchDatabase(pg, db);
    await meter?.close();
    await issuer.close();
    await pg.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`gateway failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
