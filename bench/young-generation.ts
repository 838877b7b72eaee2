/**
 * young-generation: what the regional API's young-generation size (V8's semi-space,
 * `--max-semi-space-size`) does to its throughput and to its latency tail.
 *
 * Two APIs, identical but for that flag (BENCH_YG_SIZES, default "16,64": V8's default on 64-bit
 * and the 64 MiB the API ran with before), each on a database of its own seeded alike, so that the
 * Postgres CPU of each can be told apart. Both run for the whole benchmark and take turns:
 * 1. saturated: autocannon closed loop, GET /v1/patients/:id, interleaved A B, B A, ...;
 * 2. at a fixed rate (half the slower side's saturated throughput, open loop, a client process
 *    of its own), the same requests: p50 and p99 per round, the pauses of every collection.
 * A larger young generation collects less often and so spends less time collecting in all,
 * but each collection (a scavenge stops the API) copies what is alive at that moment, and the
 * requests in flight wait for it.
 *
 * Verdicts: throughput small/large >= 0.97 (the smaller one costs at most 3%), and at the fixed
 * rate p99 small/large <= 1 (median of paired rounds).
 */
import { TestIssuer } from '@medgenie/testing';
import { startApi, RunningApi, GcPauses, summarizePauses } from './lib/api';
import { assertSameAnswers } from './lib/checks';
import { Endpoint, interleave, Measured, pairedRatios } from './lib/compare';
import { CpuMeter } from './lib/cpu';
import { dropBenchDatabase, prepareBenchDatabase, seedOrgs, startBenchPostgres, TestDatabase } from './lib/db';
import { orgId, patientId, REGION_ID, TARGET_ORG, userId } from './lib/fixture';
import { startPacedClientElsewhere } from './lib/paced-load';
import { fmt, log, print, table, verdict } from './lib/report';
import { knob } from './lib/settings';
import { median, percentile, sortedCopy } from './lib/stats';

const THROUGHPUT_TARGET = 0.97;
const P99_TARGET = 1;

interface Side {
  label: string;
  mib: number;
  api: RunningApi;
  db: TestDatabase;
}

interface PacedSide {
  p50: number[];
  p99: number[];
  latencies: number[];
  failed: number;
}

function sizes(): [number, number] {
  const raw = (process.env.BENCH_YG_SIZES ?? '16,64').split(',').map(Number);
  if (raw.length !== 2 || raw.some((n) => !Number.isInteger(n) || n <= 0) || raw[0] >= raw[1]) {
    throw new Error(`BENCH_YG_SIZES must be two sizes in MiB, the smaller first, e.g. "16,64"; got ${JSON.stringify(process.env.BENCH_YG_SIZES)}`);
  }
  return [raw[0], raw[1]];
}

async function main(): Promise<void> {
  const [small, large] = sizes();
  const patientsPerOrg = knob('BENCH_PATIENTS_PER_ORG', 200);
  const poolSize = knob('BENCH_POOL_SIZE', 10);
  const connections = knob('BENCH_CONNECTIONS', 10);
  const rounds = knob('BENCH_ROUNDS', 8);
  const roundSeconds = knob('BENCH_ROUND_SECONDS', 2);
  const warmupSeconds = knob('BENCH_WARMUP_SECONDS', 5);
  const pacedSeconds = knob('BENCH_YG_PACED_SECONDS', 5);

  const pg = await startBenchPostgres();
  const issuer = await TestIssuer.create();
  const sides: Side[] = [];
  let meter: CpuMeter | undefined;
  try {
    for (const mib of [small, large]) {
      const db = await prepareBenchDatabase(pg, `yg${mib}`);
      await seedOrgs(db, { orgs: 10, patientsPerOrg });
      const api = await startApi({ label: `yg${mib}`, databaseUrl: db.appUrl, poolSize, issuer, regionId: REGION_ID, nodeFlags: [`--max-semi-space-size=${mib}`], observeGc: true });
      sides.push({ label: `${mib} MiB`, mib, api, db });
    }
    const token = await issuer.userToken({ userId: userId(TARGET_ORG), orgId: orgId(TARGET_ORG), regionId: REGION_ID, role: 'org_admin' });
    const endpoint: Endpoint = { name: 'GET /v1/patients/:id', paths: Array.from({ length: 50 }, (_, i) => `/v1/patients/${patientId(TARGET_ORG, 1 + ((i * 37) % patientsPerOrg))}`) };
    await assertSameAnswers(
      sides.map((s) => s.api),
      [endpoint.paths[0]],
      token,
      (path, body) => (typeof body?.id === 'string' && path.endsWith(body.id) ? null : 'wrong patient'),
    );

    // 1. Saturated.
    meter = await CpuMeter.open(pg.adminUrl);
    const variants = sides.map((s) => ({ label: s.label, api: s.api, cpu: { database: s.db.name, role: 'medgenie_app' } }));
    const saturated: Measured[] = await interleave('young-generation', meter, variants, endpoint, { token, connections, warmupSeconds, rounds, roundSeconds });
    const saturatedGc = await Promise.all(sides.map((s) => s.api.gcPauses()));

    // 2. At a fixed rate: half the slower side's saturated throughput, from a client of its own.
    const rate = Math.max(10, Math.round(0.5 * Math.min(...saturated.map((m) => m.rps))));
    const client = await startPacedClientElsewhere();
    const paced: PacedSide[] = sides.map(() => ({ p50: [], p99: [], latencies: [], failed: 0 }));
    let pacedGc: GcPauses[] = [];
    try {
      const headers = { authorization: `Bearer ${token}`, accept: 'application/json' };
      const round = (side: Side, seconds: number) => client.round({ baseUrl: side.api.baseUrl, headers, paths: endpoint.paths, connections, seconds, rate });
      for (const side of sides) await round(side, 2); // warm-up: connections open, code compiled
      await Promise.all(sides.map((s) => s.api.gcPauses())); // count the measured rounds only
      for (let i = 0; i < rounds; i += 1) {
        const order = i % 2 === 0 ? [0, 1] : [1, 0];
        for (const k of order) {
          const r = await round(sides[k], pacedSeconds);
          const sorted = sortedCopy(r.latencies);
          paced[k].p50.push(percentile(sorted, 50));
          paced[k].p99.push(percentile(sorted, 99));
          paced[k].latencies.push(...r.latencies);
          paced[k].failed += r.failed;
          log(`young-generation paced round ${i + 1}/${rounds} ${sides[k].label}: ${fmt(r.rps)} req/s, p50 ${fmt(percentile(sorted, 50), 2)} ms, p99 ${fmt(percentile(sorted, 99), 2)} ms`);
        }
      }
      pacedGc = await Promise.all(sides.map((s) => s.api.gcPauses()));
    } finally {
      await client.close();
    }

    print();
    print(`young-generation: the regional API with --max-semi-space-size=${small} and =${large} (MiB), ${endpoint.name}, pool ${poolSize}, ${connections} connections`);
    print(`  saturated: ${rounds} x ${roundSeconds} s rounds per side (ABBA) after ${warmupSeconds} s warm-up; fixed rate: ${rate} req/s, ${rounds} x ${pacedSeconds} s rounds per side`);
    print();
    print(
      table(
        ['young generation', 'saturated req/s', 'round req/s', 'API cpu ms/req', 'PG cpu ms/req', 'scavenges', 'scavenge ms p50', 'max', 'total ms', 'other GC ms total'],
        saturated.map((m, k) => {
          const young = summarizePauses(saturatedGc[k].young);
          return [
            sides[k].label,
            fmt(m.rps),
            `${fmt(Math.min(...m.roundRps), 0)}-${fmt(Math.max(...m.roundRps), 0)}`,
            m.apiCpuPerReq === null ? 'n/a' : fmt(m.apiCpuPerReq, 3),
            m.pgCpuPerReq === null ? 'n/a' : fmt(m.pgCpuPerReq, 3),
            young.n,
            fmt(young.p50, 2),
            fmt(young.max, 2),
            fmt(young.total, 0),
            fmt(summarizePauses(saturatedGc[k].other).total, 0),
          ];
        }),
      ),
    );
    print();
    print(
      table(
        ['young generation', `at ${rate} req/s: p50 ms`, 'p90 ms', 'p99 ms', 'round p99 ms', 'scavenges', 'scavenge ms p50', 'max', 'total ms', 'other GC ms max', 'failed'],
        paced.map((p, k) => {
          const sorted = sortedCopy(p.latencies);
          const young = summarizePauses(pacedGc[k].young);
          return [
            sides[k].label,
            fmt(percentile(sorted, 50), 2),
            fmt(percentile(sorted, 90), 2),
            fmt(percentile(sorted, 99), 2),
            `${fmt(Math.min(...p.p99), 1)}-${fmt(Math.max(...p.p99), 1)}`,
            young.n,
            fmt(young.p50, 2),
            fmt(young.max, 2),
            fmt(young.total, 0),
            fmt(summarizePauses(pacedGc[k].other).max, 2),
            p.failed,
          ];
        }),
      ),
    );
    print();
    const throughput = pairedRatios(saturated[0].roundRps, saturated[1].roundRps);
    const throughputRatio = median(throughput);
    const p99 = pairedRatios(paced[0].p99, paced[1].p99);
    const p99Ratio = median(p99);
    const failed = saturated.some((m) => m.failed > 0) || paced.some((p) => p.failed > 0);
    const throughputOk = throughputRatio >= THROUGHPUT_TARGET && !failed;
    const p99Ok = p99Ratio <= P99_TARGET && !failed;
    print(
      verdict(
        throughputOk,
        `saturated: throughput ${small}/${large} MiB = ${fmt(throughputRatio, 3)} (median of ${throughput.length} paired rounds, range ${fmt(Math.min(...throughput), 3)}..${fmt(Math.max(...throughput), 3)}), target >= ${THROUGHPUT_TARGET}`,
      ),
    );
    print(
      verdict(
        p99Ok,
        `at ${rate} req/s: p99 ${small}/${large} MiB = ${fmt(p99Ratio, 3)} (median of ${p99.length} paired rounds, range ${fmt(Math.min(...p99), 3)}..${fmt(Math.max(...p99), 3)}), target <= ${P99_TARGET}${failed ? ' [requests failed]' : ''}`,
      ),
    );
    print(throughputOk && p99Ok ? `young-generation: ${small} MiB meets both targets` : 'young-generation: a target was missed');
  } finally {
    await Promise.all(sides.map((s) => s.api.close()));
    for (const s of sides) await dropBenchDatabase(pg, s.db);
    await meter?.close();
    await issuer.close();
    await pg.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`young-generation failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
