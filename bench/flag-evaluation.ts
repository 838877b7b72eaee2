/**
 * flag-evaluation: what evaluating feature flags on the request path costs.
 *
 * The gateway evaluates `read_only_maintenance` (with unleash-client) for every request to an org.
 * Two processes of the very same gateway build, in front of the same regional API and data: one
 * polls a control plane's Unleash client API (the gateway's token) and evaluates the flag on every
 * request; the other runs without FLAGS_URL and evaluates none. The flag is on, with constraints
 * that keep the measured org out (100 other org ids, and another region), so each evaluation walks
 * real strategies and constraints.
 *
 * `GET /v1/patients/:id` on the org's host, both gateways under load at the same time, half the
 * connections each, so whatever the shared two cores do to one round they do to both sides: a
 * small cost shows as a throughput ratio instead of drowning in the drift between rounds taken one
 * after the other (A/A runs of that design wandered by ±5%). Target: throughput with flags >= 0.98
 * x without (median of the rounds' ratios).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { FlagDefinition, READ_ONLY_MAINTENANCE_FLAG, SEED_FLAG_DEFINITIONS } from '@medgenie/contracts';
import { TEST_AUDIENCE, TEST_ISSUER, TestIssuer } from '@medgenie/testing';
import { startApi, RunningApi } from './lib/api';
import { CpuMeter } from './lib/cpu';
import { dropBenchDatabase, prepareBenchDatabase, seedOrgs, startBenchPostgres, TestDatabase } from './lib/db';
import { md5Uuid, orgId, patientId, REGION_ID, TARGET_ORG, userId } from './lib/fixture';
import { buildGateway, RunningGateway, startGatewayProcess } from './lib/gateway-process';
import { runHeaderRound } from './lib/http-load';
import { RoundResult } from './lib/load';
import { processesCpuMs } from './lib/proc';
import { fmt, log, print, table, verdict } from './lib/report';
import { knob } from './lib/settings';
import { median, percentile, sortedCopy } from './lib/stats';
import { BenchControlPlane } from './lib/stub-control-plane';

const TARGET_RATIO = 0.98;
/** An org of the same region inside the maintenance's targeting: the sanity check that the flag is evaluated. */
const MAINTAINED_ORG = 2;

interface Side {
  key: 'flags' | 'none';
  label: string;
  gateway: RunningGateway;
}

interface Round extends RoundResult {
  gatewayCpuMs: number | null;
}

/** API and Postgres CPU of a round (both sides together: they share the API). */
interface SharedCpu {
  apiCpuMs: number | null;
  pgCpuMs: number | null;
}

/** One request with these headers (undici's request: fetch would replace the Host header). */
async function answer(baseUrl: string, method: 'GET' | 'POST', path: string, headers: Record<string, string>) {
  const res = await request(`${baseUrl}${path}`, { method, headers: method === 'GET' ? headers : { ...headers, 'content-type': 'application/json' }, body: method === 'GET' ? undefined : '{}' });
  return { status: res.statusCode, readOnly: res.headers['x-medgenie-read-only'] ?? null, text: await res.body.text() };
}

async function main(): Promise<void> {
  const patientsPerOrg = knob('BENCH_PATIENTS_PER_ORG', 200);
  const poolSize = knob('BENCH_POOL_SIZE', 10);
  const connections = knob('BENCH_CONNECTIONS', 10);
  const warmupSeconds = knob('BENCH_WARMUP_SECONDS', 5);
  const rounds = knob('BENCH_ROUNDS', 10);
  const roundSeconds = knob('BENCH_ROUND_SECONDS', 3);
  // BENCH_FLAGS_CALIBRATE=1: both gateways without flags (an A/A run), to see the design's own spread.
  const calibrate = process.env.BENCH_FLAGS_CALIBRATE === '1';
  const built = buildGateway();

  const pg = await startBenchPostgres();
  const issuer = await TestIssuer.create();
  const backupDir = mkdtempSync(join(tmpdir(), 'mg-bench-flags-'));
  let db: TestDatabase | undefined;
  let api: RunningApi | undefined;
  let cp: BenchControlPlane | undefined;
  const gateways: RunningGateway[] = [];
  let meter: CpuMeter | undefined;
  try {
    db = await prepareBenchDatabase(pg, 'flags');
    await seedOrgs(db, { orgs: 2, patientsPerOrg });
    api = await startApi({ label: 'api', databaseUrl: db.appUrl, poolSize, issuer, regionId: REGION_ID });

    const serviceToken = randomBytes(24).toString('hex');
    const flagToken = randomBytes(24).toString('hex');
    cp = await new BenchControlPlane(serviceToken, issuer).start();
    for (const n of [TARGET_ORG, MAINTAINED_ORG]) {
      cp.orgs.set(orgId(n), { organizationId: orgId(n), slug: `bench-org-${n}`, regionId: REGION_ID, status: 'active', plan: 'enterprise' });
    }
    // On, for 100 orgs (one of them org 2) and for region ca: the measured org passes through both strategies and is off.
    const maintained = [orgId(MAINTAINED_ORG), ...Array.from({ length: 99 }, (_, i) => md5Uuid(`bench-maintained-${i}`))];
    const maintenance: FlagDefinition = {
      name: READ_ONLY_MAINTENANCE_FLAG,
      enabled: true,
      strategies: [
        { constraints: [{ contextName: 'orgId', operator: 'IN', values: maintained }] },
        { constraints: [{ contextName: 'regionId', operator: 'IN', values: ['ca'] }, { contextName: 'plan', operator: 'NOT_IN', values: ['trial'] }] },
      ],
    };
    cp.flags = { token: flagToken, definitions: [...SEED_FLAG_DEFINITIONS, maintenance] };

    const common = {
      CONTROL_PLANE_URL: cp.url,
      CONTROL_PLANE_SERVICE_TOKEN: serviceToken,
      REGION_API_URLS: JSON.stringify({ [REGION_ID]: api.baseUrl }),
      JWT_ISSUER: TEST_ISSUER,
      JWT_AUDIENCE: TEST_AUDIENCE,
      RATE_LIMIT_RPS: '1000000',
      RATE_LIMIT_BURST: '1000000',
      LOG_LEVEL: 'silent',
    };
    // BENCH_GATEWAY_NODE_ARGS: node options for both gateways (e.g. --cpu-prof --cpu-prof-dir=/tmp/prof).
    const nodeArgs = (process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean);
    const flagsEnv = calibrate ? common : { ...common, FLAGS_URL: `${cp.url}/api`, FLAGS_CLIENT_TOKEN: flagToken, FLAGS_BACKUP_DIR: backupDir };
    const withFlags = await startGatewayProcess(built.main, flagsEnv, nodeArgs);
    gateways.push(withFlags);
    const without = await startGatewayProcess(built.main, common, nodeArgs);
    gateways.push(without);
    const sides: Side[] = [
      { key: 'flags', label: 'flags evaluated', gateway: withFlags },
      { key: 'none', label: 'no flags', gateway: without },
    ];

    const token = await issuer.userToken({ userId: userId(TARGET_ORG), orgId: orgId(TARGET_ORG), regionId: REGION_ID, role: 'org_admin' });
    const headers = { host: `bench-org-${TARGET_ORG}.${REGION_ID}.localhost`, authorization: `Bearer ${token}`, accept: 'application/json' };
    const paths = Array.from({ length: 50 }, (_, i) => `/v1/patients/${patientId(TARGET_ORG, 1 + ((i * 37) % patientsPerOrg))}`);

    // Sanity: the same patient from both; the flag is evaluated by one gateway only (org 2's write
    // is refused there, not by the other), and the measured org is not in maintenance.
    const a = await answer(withFlags.baseUrl, 'GET', paths[0], headers);
    const b = await answer(without.baseUrl, 'GET', paths[0], headers);
    if (a.status !== 200 || b.status !== 200 || a.text !== b.text) throw new Error(`the gateways answer GET ${paths[0]} differently: ${a.status} / ${b.status}: ${a.text} / ${b.text}`);
    if (a.readOnly !== null) throw new Error('the measured org is answered as read-only');
    const otherToken = await issuer.userToken({ userId: userId(MAINTAINED_ORG), orgId: orgId(MAINTAINED_ORG), regionId: REGION_ID, role: 'org_admin' });
    const otherHeaders = { ...headers, host: `bench-org-${MAINTAINED_ORG}.${REGION_ID}.localhost`, authorization: `Bearer ${otherToken}` };
    const refused = await answer(withFlags.baseUrl, 'POST', '/v1/patients', otherHeaders);
    const notRefused = await answer(without.baseUrl, 'POST', '/v1/patients', otherHeaders);
    if (!calibrate && (refused.status !== 503 || !refused.text.includes('MAINTENANCE'))) throw new Error(`the flags gateway did not apply the maintenance (${refused.status} ${refused.text})`);
    if (notRefused.status === 503) throw new Error('the gateway without flags refused a write for maintenance');
    if (!calibrate && cp.flagFetches < 1) throw new Error('the flags gateway never fetched the definitions');
    log(`sanity: both gateways answer the same patient; org ${MAINTAINED_ORG}'s write is refused (503 MAINTENANCE) by the flags gateway only; ${cp.flagFetches} flag fetch(es)`);

    meter = await CpuMeter.open(pg.adminUrl);
    const apiTarget = { apiPid: api.pid, database: db.name, role: 'medgenie_app' };
    const m = meter;
    /** One round: both gateways loaded at once, each with half the connections. */
    const measure = async (seconds: number): Promise<{ rounds: Record<Side['key'], Round>; shared: SharedCpu }> => {
      const before = await m.snapshot(apiTarget);
      const gwBefore = sides.map((side) => processesCpuMs([side.gateway.pid]));
      const results = await Promise.all(sides.map((side) => runHeaderRound({ baseUrl: side.gateway.baseUrl, headers, paths, connections: Math.max(1, connections / 2), seconds })));
      const gwAfter = sides.map((side) => processesCpuMs([side.gateway.pid]));
      const cpu = CpuMeter.delta(before, await m.snapshot(apiTarget));
      const rounds = Object.fromEntries(
        sides.map((side, i) => {
          const a = gwBefore[i];
          const b = gwAfter[i];
          return [side.key, { ...results[i], gatewayCpuMs: a === null || b === null ? null : b - a }];
        }),
      ) as Record<Side['key'], Round>;
      return { rounds, shared: { apiCpuMs: cpu.api, pgCpuMs: cpu.pg } };
    };

    const warm = await measure(warmupSeconds);
    log(`flag-evaluation warm-up: flags ${fmt(warm.rounds.flags.rps)} req/s, none ${fmt(warm.rounds.none.rps)} req/s`);
    const perSide = new Map<Side['key'], Round[]>(sides.map((s) => [s.key, []]));
    const shared: SharedCpu[] = [];
    for (let i = 0; i < rounds; i += 1) {
      const r = await measure(roundSeconds);
      shared.push(r.shared);
      for (const side of sides) perSide.get(side.key)!.push(r.rounds[side.key]);
      const describe = (key: Side['key']) => {
        const x = r.rounds[key];
        const lat = sortedCopy(x.latencies);
        return `${key} ${fmt(x.rps)} req/s p50 ${fmt(percentile(lat, 50), 2)} ms p99 ${fmt(percentile(lat, 99), 2)} ms gateway cpu/req ${x.gatewayCpuMs === null ? 'n/a' : fmt(x.gatewayCpuMs / x.ok, 3)} ms${x.failed ? ` (${x.failed} failed ${JSON.stringify(x.statusCounts)})` : ''}`;
      };
      log(`flag-evaluation round ${i + 1}/${rounds}: ${describe('flags')}; ${describe('none')}; ratio ${fmt(r.rounds.flags.rps / r.rounds.none.rps, 3)}`);
    }

    const total = (rs: Round[]) => rs.reduce((n, r) => n + r.ok, 0);
    const gatewayPerReq = (rs: Round[]) => (rs.some((r) => r.gatewayCpuMs === null) ? 'n/a' : fmt(rs.reduce((n, r) => n + (r.gatewayCpuMs ?? 0), 0) / total(rs), 3));
    const allOk = total(perSide.get('flags')!) + total(perSide.get('none')!);
    const sharedPerReq = (key: keyof SharedCpu) => (shared.some((c) => c[key] === null) ? 'n/a' : fmt(shared.reduce((n, c) => n + (c[key] ?? 0), 0) / allOk, 3));
    print();
    print(
      `flag-evaluation: GET /v1/patients/:id through two gateways loaded at once, ${Math.max(1, connections / 2)} connections each, ${rounds} x ${roundSeconds} s rounds after ${warmupSeconds} s warm-up; ` +
        `read_only_maintenance on for 100 orgs and region ca (the measured org is in neither), beside seed 000's five flags`,
    );
    print();
    const rows = sides.map((s) => {
      const rs = perSide.get(s.key)!;
      const lat = sortedCopy(rs.flatMap((r) => r.latencies));
      const secs = rs.reduce((n, r) => n + r.seconds, 0);
      return [
        s.label,
        fmt(total(rs) / secs),
        `${fmt(Math.min(...rs.map((r) => r.rps)), 0)}-${fmt(Math.max(...rs.map((r) => r.rps)), 0)}`,
        fmt(percentile(lat, 50), 2),
        fmt(percentile(lat, 99), 2),
        gatewayPerReq(rs),
        rs.reduce((n, r) => n + r.failed, 0),
      ];
    });
    print(table(['gateway', 'req/s', 'round req/s', 'p50 ms', 'p99 ms', 'gateway cpu ms/req', 'failed'], rows));
    print(`shared by both: API cpu ${sharedPerReq('apiCpuMs')} ms/req, Postgres cpu ${sharedPerReq('pgCpuMs')} ms/req`);
    print();
    const withRounds = perSide.get('flags')!;
    const withoutRounds = perSide.get('none')!;
    const pairs = withRounds.map((r, i) => r.rps / withoutRounds[i].rps);
    const ratio = median(pairs);
    const failed = [...withRounds, ...withoutRounds].reduce((n, r) => n + r.failed, 0);
    const ok = ratio >= TARGET_RATIO && failed === 0;
    print(
      verdict(
        ok,
        `GET /v1/patients/:id: throughput flags/no flags = ${fmt(ratio, 3)} (median of ${pairs.length} paired rounds, range ${fmt(Math.min(...pairs), 3)}..${fmt(Math.max(...pairs), 3)}), ` +
          `target >= ${TARGET_RATIO}${failed ? ' [requests failed]' : ''}`,
      ),
    );
    if (calibrate) print('flag-evaluation: CALIBRATION run (BENCH_FLAGS_CALIBRATE=1): both sides without flags; the ratio shows the spread of the design, not the cost of flags');
    else print(ok ? 'flag-evaluation: target met' : 'flag-evaluation: the target was missed');
  } finally {
    await Promise.all(gateways.map((g) => g.close()));
    await api?.close();
    await cp?.stop();
    if (db) await dropBenchDatabase(pg, db);
    await meter?.close();
    await issuer.close();
    await pg.stop();
    rmSync(backupDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  process.stderr.write(`flag-evaluation failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
