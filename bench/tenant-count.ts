/**
 * tenant-count: does one org's latency depend on how many orgs share the region?
 *
 * Two databases in one run, the same rows per org: a region holding few orgs and one holding
 * many (by default 10 vs 10,000 orgs x 200 patients, i.e. 2,000 vs 2,000,000 patient rows).
 * The same API build, pool size and requests for the same org (deterministic ids, so the same
 * token and paths work on both) at a fixed concurrency, rounds interleaved (ABBA) after a
 * warm-up. Target: p99(many) <= 1.2 x p99(few) per endpoint.
 */
import { TestIssuer } from '@medgenie/testing';
import { startApi, RunningApi } from './lib/api';
import { assertSameAnswers } from './lib/checks';
import { Endpoint, interleave, LoadPlan, Measured, pairedRatios } from './lib/compare';
import { CpuMeter } from './lib/cpu';
import { dropBenchDatabase, prepareBenchDatabase, seedOrgs, startBenchPostgres, TestDatabase, withClient } from './lib/db';
import { orgId, patientId, REGION_ID, SEARCH_TERM, TARGET_ORG, userId } from './lib/fixture';
import { fmt, log, print, table, verdict } from './lib/report';
import { knob } from './lib/settings';
import { median } from './lib/stats';

const TARGET_RATIO = 1.2;

async function main(): Promise<void> {
  const fewOrgs = knob('BENCH_FEW_ORGS', 10);
  const manyOrgs = knob('BENCH_MANY_ORGS', 10_000);
  const patientsPerOrg = knob('BENCH_PATIENTS_PER_ORG', 200);
  const poolSize = knob('BENCH_POOL_SIZE', 10);
  const plan: Omit<LoadPlan, 'token'> = {
    connections: knob('BENCH_CONNECTIONS', 10),
    warmupSeconds: knob('BENCH_WARMUP_SECONDS', 5),
    rounds: knob('BENCH_ROUNDS', 8),
    roundSeconds: knob('BENCH_ROUND_SECONDS', 3),
  };
  const few = `${fewOrgs} orgs`;
  const many = `${manyOrgs} orgs`;

  const pg = await startBenchPostgres();
  const issuer = await TestIssuer.create();
  const apis: RunningApi[] = [];
  const dbs: TestDatabase[] = [];
  let meter: CpuMeter | undefined;
  try {
    const fewDb = await prepareBenchDatabase(pg, `t${fewOrgs}`);
    dbs.push(fewDb);
    await seedOrgs(fewDb, { orgs: fewOrgs, patientsPerOrg });
    const manyDb = await prepareBenchDatabase(pg, `t${manyOrgs}`);
    dbs.push(manyDb);
    await seedOrgs(manyDb, { orgs: manyOrgs, patientsPerOrg, batch: 1000 });

    for (const db of dbs) {
      const sizes = await withClient(db.adminUrl, async (c) => {
        const { rows } = await c.query(
          `select (select count(*)::int from organizations) as orgs, (select count(*)::int from patients) as patients,
                  pg_size_pretty(pg_total_relation_size('patients')) as patients_size`,
        );
        return rows[0] as { orgs: number; patients: number; patients_size: string };
      });
      log(`${db.name}: ${sizes.orgs} orgs, ${sizes.patients} patients (${sizes.patients_size} with indexes)`);
    }

    const fewApi = await startApi({ label: few, databaseUrl: fewDb.appUrl, poolSize, issuer, regionId: REGION_ID });
    apis.push(fewApi);
    const manyApi = await startApi({ label: many, databaseUrl: manyDb.appUrl, poolSize, issuer, regionId: REGION_ID });
    apis.push(manyApi);

    const token = await issuer.userToken({ userId: userId(TARGET_ORG), orgId: orgId(TARGET_ORG), regionId: REGION_ID, role: 'org_admin' });
    const endpoints: Endpoint[] = [
      { name: 'GET /v1/patients/:id', paths: Array.from({ length: 50 }, (_, i) => `/v1/patients/${patientId(TARGET_ORG, 1 + ((i * 37) % patientsPerOrg))}`) },
      { name: `GET /v1/patients?search=${SEARCH_TERM}`, paths: [`/v1/patients?search=${SEARCH_TERM}`] },
    ];
    await assertSameAnswers([fewApi, manyApi], [endpoints[0].paths[0], endpoints[1].paths[0]], token, (path, body) => {
      if (path.includes('search')) return body?.items?.length === 20 && body.hasMore === true ? null : `expected a full page of 20, got ${body?.items?.length}`;
      return typeof body?.id === 'string' && path.endsWith(body.id) ? null : 'wrong patient';
    });

    meter = await CpuMeter.open(pg.adminUrl);
    const variants = [
      { label: few, api: fewApi, cpu: { database: fewDb.name, role: 'medgenie_app' } },
      { label: many, api: manyApi, cpu: { database: manyDb.name, role: 'medgenie_app' } },
    ];
    const measured: Measured[][] = [];
    for (const endpoint of endpoints) {
      measured.push(await interleave('tenant-count', meter, variants, endpoint, { ...plan, token }));
    }

    print();
    print(
      `tenant-count: ${fewOrgs} vs ${manyOrgs} orgs x ${patientsPerOrg} patients (${fewOrgs * patientsPerOrg} vs ${manyOrgs * patientsPerOrg} rows), ` +
        `pool ${poolSize}, ${plan.connections} connections, ${plan.rounds} x ${plan.roundSeconds} s rounds per side (ABBA) after ${plan.warmupSeconds} s warm-up`,
    );
    print();
    const rows: (string | number)[][] = [];
    for (const pair of measured) {
      for (const m of pair) {
        rows.push([
          m.endpoint,
          m.variant,
          fmt(m.rps),
          fmt(m.p50, 2),
          fmt(m.p90, 2),
          fmt(m.p99, 2),
          `${fmt(Math.min(...m.roundP99), 1)}-${fmt(Math.max(...m.roundP99), 1)}`,
          m.apiCpuPerReq === null ? 'n/a' : fmt(m.apiCpuPerReq, 3),
          m.pgCpuPerReq === null ? 'n/a' : fmt(m.pgCpuPerReq, 3),
          m.failed,
        ]);
      }
    }
    print(table(['endpoint', 'region holds', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'round p99 ms', 'API cpu ms/req', 'PG cpu ms/req', 'failed'], rows));
    print();
    let allPass = true;
    for (const [a, b] of measured) {
      const pairs = pairedRatios(b.roundP99, a.roundP99);
      const ratio = median(pairs);
      const pooled = b.p99 / a.p99;
      const ok = ratio <= TARGET_RATIO && a.failed === 0 && b.failed === 0;
      allPass &&= ok;
      print(
        verdict(
          ok,
          `${a.endpoint}: p99(${many})/p99(${few}) = ${fmt(ratio, 3)} (median of ${pairs.length} paired rounds, ` +
            `range ${fmt(Math.min(...pairs), 3)}..${fmt(Math.max(...pairs), 3)}; all rounds pooled ${fmt(pooled, 3)}), target <= ${TARGET_RATIO}; ` +
            `throughput ratio ${fmt(b.rps / a.rps, 3)}` +
            `${a.pgCpuPerReq !== null && b.pgCpuPerReq !== null ? `; PG CPU/req ratio ${fmt(b.pgCpuPerReq / a.pgCpuPerReq, 3)}` : ''}` +
            `${a.failed || b.failed ? ' [requests failed]' : ''}`,
        ),
      );
    }
    print(allPass ? 'tenant-count: all targets met' : 'tenant-count: a target was missed');
  } finally {
    await Promise.all(apis.map((a) => a.close()));
    for (const db of dbs) await dropBenchDatabase(pg, db);
    await meter?.close();
    await issuer.close();
    await pg.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`tenant-count failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
