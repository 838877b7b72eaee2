/**
 * rls-cost: what forced row-level security costs the API.
 *
 * The very same API build, data, pool size and requests, connected once as the app role
 * (medgenie_app: RLS applies, as in production) and once as a BYPASSRLS role that holds exactly
 * the app role's privileges. Both APIs run at the same time in their own processes; rounds are
 * interleaved (ABBA) after a warm-up. Target: throughput with RLS >= 0.95 x without.
 */
import { TestIssuer } from '@medgenie/testing';
import { startApi, RunningApi } from './lib/api';
import { assertSameAnswers } from './lib/checks';
import { Endpoint, interleave, LoadPlan, Measured, pairedRatios } from './lib/compare';
import { CpuMeter } from './lib/cpu';
import { BYPASS_ROLE, dropBenchDatabase, ensureBypassRole, prepareBenchDatabase, seedOrgs, startBenchPostgres, TestDatabase, withClient } from './lib/db';
import { LARGE_ORG_SEARCH_TERM, orgId, patientId, REGION_ID, SEARCH_TERM, TARGET_ORG, userId } from './lib/fixture';
import { fmt, log, print, table, verdict } from './lib/report';
import { knob } from './lib/settings';
import { median } from './lib/stats';

const TARGET_RATIO = 0.95;
/** The org that holds BENCH_LARGE_ORG_PATIENTS patients (every other org holds BENCH_PATIENTS_PER_ORG). */
const LARGE_ORG = 2;

/** Total CPU per request (API + Postgres) of bypass over RLS: the throughput ratio the CPU alone predicts. */
function cpuRatio(a: Measured, b: Measured): string {
  if (a.apiCpuPerReq === null || a.pgCpuPerReq === null || b.apiCpuPerReq === null || b.pgCpuPerReq === null) return '';
  const ratio = (b.apiCpuPerReq + b.pgCpuPerReq) / (a.apiCpuPerReq + a.pgCpuPerReq);
  return `; CPU/req bypass/RLS = ${fmt(ratio, 3)} (PG alone ${fmt(b.pgCpuPerReq / a.pgCpuPerReq, 3)})`;
}

async function main(): Promise<void> {
  const orgs = knob('BENCH_RLS_ORGS', 100);
  const patientsPerOrg = knob('BENCH_PATIENTS_PER_ORG', 200);
  const largeOrgPatients = process.env.BENCH_LARGE_ORG_PATIENTS === '0' ? 0 : knob('BENCH_LARGE_ORG_PATIENTS', 20_000);
  const poolSize = knob('BENCH_POOL_SIZE', 10);
  const plan: Omit<LoadPlan, 'token'> = {
    connections: knob('BENCH_CONNECTIONS', 10),
    warmupSeconds: knob('BENCH_WARMUP_SECONDS', 5),
    rounds: knob('BENCH_ROUNDS', 10),
    roundSeconds: knob('BENCH_ROUND_SECONDS', 2),
  };

  const pg = await startBenchPostgres();
  const issuer = await TestIssuer.create();
  const apis: RunningApi[] = [];
  let meter: CpuMeter | undefined;
  let db: TestDatabase | undefined;
  try {
    db = await prepareBenchDatabase(pg, 'rls');
    await seedOrgs(db, { orgs, patientsPerOrg, largeOrg: largeOrgPatients ? { org: LARGE_ORG, patients: largeOrgPatients } : undefined });
    const bypassUrl = await ensureBypassRole(pg, db);

    // The two connections differ in RLS only.
    const roleFacts = async (url: string) =>
      withClient(url, async (c) => {
        const { rows } = await c.query(
          `select current_user as role, r.rolbypassrls as bypass, r.rolsuper as super,
                  (select count(distinct organization_id)::int from patients) as orgs_visible_without_tenant
             from pg_roles r where r.rolname = current_user`,
        );
        return rows[0] as { role: string; bypass: boolean; super: boolean; orgs_visible_without_tenant: number };
      });
    const facts = [await roleFacts(db.appUrl), await roleFacts(bypassUrl)];
    for (const f of facts) log(`role ${f.role}: bypassrls=${f.bypass} superuser=${f.super} orgs visible with no tenant set=${f.orgs_visible_without_tenant}`);
    if (facts[0].bypass || facts[0].orgs_visible_without_tenant !== 0) throw new Error('the app connection is not subject to RLS');
    if (!facts[1].bypass || facts[1].super || facts[1].orgs_visible_without_tenant !== orgs) throw new Error('the bypass connection does not bypass RLS');

    const rls = await startApi({ label: 'rls', databaseUrl: db.appUrl, poolSize, issuer, regionId: REGION_ID });
    apis.push(rls);
    const bypass = await startApi({ label: 'bypass', databaseUrl: bypassUrl, poolSize, issuer, regionId: REGION_ID });
    apis.push(bypass);

    const token = await issuer.userToken({ userId: userId(TARGET_ORG), orgId: orgId(TARGET_ORG), regionId: REGION_ID, role: 'org_admin' });
    const endpoints: Endpoint[] = [
      { name: 'GET /v1/patients/:id', paths: Array.from({ length: 50 }, (_, i) => `/v1/patients/${patientId(TARGET_ORG, 1 + ((i * 37) % patientsPerOrg))}`) },
      { name: `GET /v1/patients?search=${SEARCH_TERM}`, paths: [`/v1/patients?search=${SEARCH_TERM}`] },
    ];
    if (largeOrgPatients) {
      const largeToken = await issuer.userToken({ userId: userId(LARGE_ORG), orgId: orgId(LARGE_ORG), regionId: REGION_ID, role: 'org_admin' });
      endpoints.push({
        name: `GET /v1/patients?search=${LARGE_ORG_SEARCH_TERM} (org of ${largeOrgPatients} patients)`,
        paths: [`/v1/patients?search=${LARGE_ORG_SEARCH_TERM}`],
        token: largeToken,
      });
    }
    for (const endpoint of endpoints) {
      const large = endpoint.token !== undefined;
      await assertSameAnswers([rls, bypass], [endpoint.paths[0]], endpoint.token ?? token, (path, body) => {
        if (!path.includes('search')) return typeof body?.id === 'string' && path.endsWith(body.id) ? null : 'wrong patient';
        if (large) return (body?.items?.length ?? 0) > 0 ? null : 'expected matches';
        return body?.items?.length === 20 && body.hasMore === true ? null : `expected a full page of 20, got ${body?.items?.length}`;
      });
    }

    meter = await CpuMeter.open(pg.adminUrl);
    const variants = [
      { label: 'rls', api: rls, cpu: { database: db.name, role: 'medgenie_app' } },
      { label: 'bypass', api: bypass, cpu: { database: db.name, role: BYPASS_ROLE } },
    ];
    const measured: Measured[][] = [];
    for (const endpoint of endpoints) {
      measured.push(await interleave('rls-cost', meter, variants, endpoint, { ...plan, token }));
    }

    print();
    print(`rls-cost: ${orgs} orgs x ${patientsPerOrg} patients${largeOrgPatients ? ` (one org: ${largeOrgPatients})` : ''}, pool ${poolSize}, ${plan.connections} connections, ` +
      `${plan.rounds} x ${plan.roundSeconds} s rounds per side (ABBA) after ${plan.warmupSeconds} s warm-up`);
    print();
    const rows: (string | number)[][] = [];
    for (const [a, b] of measured) {
      for (const m of [a, b]) {
        rows.push([
          m.endpoint,
          m.variant === 'rls' ? 'RLS (medgenie_app)' : 'BYPASSRLS',
          fmt(m.rps),
          `${fmt(Math.min(...m.roundRps), 0)}-${fmt(Math.max(...m.roundRps), 0)}`,
          fmt(m.p50, 2),
          fmt(m.p99, 2),
          m.apiCpuPerReq === null ? 'n/a' : fmt(m.apiCpuPerReq, 3),
          m.pgCpuPerReq === null ? 'n/a' : fmt(m.pgCpuPerReq, 3),
          m.failed,
        ]);
      }
    }
    print(table(['endpoint', 'connected as', 'req/s', 'round req/s', 'p50 ms', 'p99 ms', 'API cpu ms/req', 'PG cpu ms/req', 'failed'], rows));
    print();
    let allPass = true;
    for (const [a, b] of measured) {
      const pooled = a.rps / b.rps;
      const pairs = pairedRatios(a.roundRps, b.roundRps);
      const ratio = median(pairs);
      const ok = ratio >= TARGET_RATIO && a.failed === 0 && b.failed === 0;
      allPass &&= ok;
      print(
        verdict(
          ok,
          `${a.endpoint}: throughput RLS/bypass = ${fmt(ratio, 3)} (median of ${pairs.length} paired rounds, ` +
            `range ${fmt(Math.min(...pairs), 3)}..${fmt(Math.max(...pairs), 3)}; all rounds pooled ${fmt(pooled, 3)}), target >= ${TARGET_RATIO}` +
            `${cpuRatio(a, b)}` +
            `${a.failed || b.failed ? ' [requests failed]' : ''}`,
        ),
      );
    }
    print(allPass ? 'rls-cost: all targets met' : 'rls-cost: a target was missed');
  } finally {
    await Promise.all(apis.map((a) => a.close()));
    if (db) await dropBenchDatabase(pg, db);
    await meter?.close();
    await issuer.close();
    await pg.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`rls-cost failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
