/**
 * usage-collection (issue 12): what does one full usage report of a region cost, and is it cheap
 * at 10,000 orgs (no full scans per request)?
 *
 * Two regions in one run, the same rows per org: a large one (10,000 orgs x 200 patients, plus
 * doctors, clinics, staff, attachments and usage_daily rows, so no count is trivially zero) and a
 * small baseline (100 orgs, the same seed). A full report is what the control plane's collector
 * does for every org of a region (apps/control-plane/src/usage/usage.service.ts): the region's org
 * ids in calls of ORGS_PER_CALL (200), one call after the other, each
 * `GET /internal/v1/usage?orgIds=...&date=...` with the service token. Rounds interleave the two
 * regions (ABBA) after one warm-up report each; the small region's report is repeated within a
 * round so that a round of each lasts comparably long.
 *
 * Figures per full report: wall time, Postgres CPU (the API pool's backends), API process CPU,
 * and each divided by the orgs reported. Targets: a full report of the large region in under
 * 10 s of wall time (median), and per-org wall time large/small <= 1.5 (median of the paired
 * rounds): a per-org cost that grew with the region (a scan per org or per call) would show as a
 * ratio far above 1. The query plan of the repository's statement is EXPLAINed (ANALYZE,
 * BUFFERS) under the app role with a tenant pinned, on both regions: no sequential scan, and the
 * same buffers per org in both.
 */
import { SERVICE_TOKEN_HEADER, type UsageReport } from '@medgenie/contracts';
import { clinicIdsSetting, SET_TENANT_SQL } from '@medgenie/database';
import { TestIssuer } from '@medgenie/testing';
import { COUNTS_SQL } from '../apps/regional-api/src/usage/usage.repository';
import { RunningApi, startApi } from './lib/api';
import { CpuMeter } from './lib/cpu';
import { dropBenchDatabase, prepareBenchDatabase, seedOrgs, startBenchPostgres, TestDatabase, withClient } from './lib/db';
import { orgId, REGION_ID } from './lib/fixture';
import { fmt, log, print, table, verdict } from './lib/report';
import { knob } from './lib/settings';
import { median } from './lib/stats';

/** As the control plane asks (ORGS_PER_CALL in apps/control-plane/src/usage/usage.service.ts; the region's MAX_ORGS_PER_REPORT). */
const ORGS_PER_CALL = 200;
const TARGET_WALL_MS = 10_000;
const TARGET_PER_ORG_RATIO = 1.5;
/** Tables whose sequential scan in the plan would be a scan per org. */
const COUNTED_TABLES = ['organizations', 'doctors', 'patients', 'clinics', 'memberships', 'dental_attachments', 'usage_daily'];

/**
 * What org g holds beyond seedOrgs (the primary clinic, an org_admin membership, the patients):
 * 1 + g%3 doctor profiles (the admin's and g%3 doctor memberships'), g%2 more clinics, g%4 active
 * staff (and one inactive staff member when g%5 = 0, not counted), g%5 attachments of 1000k + g
 * bytes, and usage_daily rows for the day reported (7g requests) and the day before (not counted).
 */
const EXTRA_SQL = [
  `insert into clinics (organization_id, id, name, code, timezone, is_primary)
   select md5('bench-org-' || g)::uuid, md5('bench-clinic-' || g || '-branch')::uuid, 'Branch Clinic', 'BRANCH', 'Asia/Kolkata', false
     from generate_series($1::int, $2::int) g where g % 2 = 1 order by 1, 2`,
  `insert into memberships (organization_id, id, user_id, role, display_name, is_active)
   select md5('bench-org-' || g)::uuid, md5('bench-' || m.role || '-membership-' || g || '-' || m.k)::uuid,
          md5('bench-' || m.role || '-user-' || g || '-' || m.k)::uuid, m.role, m.role || ' ' || g || '-' || m.k, m.active
     from generate_series($1::int, $2::int) g
     cross join lateral (
       select 'doctor'::text as role, k, true as active from generate_series(1, g % 3) k
       union all select 'staff', k, true from generate_series(1, g % 4) k
       union all select 'staff', 0, false where g % 5 = 0
     ) m
    order by 1, 2`,
  `insert into doctors (organization_id, id, membership_id, specialization)
   select md5('bench-org-' || g)::uuid, md5('bench-doctor-' || g || '-' || k)::uuid,
          (case when k = 0 then md5('bench-membership-' || g) else md5('bench-doctor-membership-' || g || '-' || k) end)::uuid,
          'General Dentistry'
     from generate_series($1::int, $2::int) g cross join lateral generate_series(0, g % 3) k
    order by 1, 2`,
  `insert into dental_attachments (organization_id, id, clinic_id, patient_id, kind, content_type, size_bytes, sha256,
                                   file_name, container, blob_name, uploaded_by)
   select md5('bench-org-' || g)::uuid, md5('bench-attachment-' || g || '-' || k)::uuid, md5('bench-clinic-' || g)::uuid,
          md5('bench-patient-' || g || '-' || (1 + (k - 1) % $3::int))::uuid, 'xray', 'image/png', 1000 * k + g,
          md5('a-' || g || '-' || k) || md5('b-' || g || '-' || k), 'xray-' || k || '.png', 'org-' || g,
          'bench/' || g || '/' || k, md5('bench-user-' || g)::uuid
     from generate_series($1::int, $2::int) g cross join lateral generate_series(1, g % 5) k
    order by 1, 2`,
  `insert into usage_daily (organization_id, day, api_requests)
   select md5('bench-org-' || g)::uuid, d, case when d = $3::date then 7 * g else 1000000 end
     from generate_series($1::int, $2::int) g cross join unnest(array[$3::date - 1, $3::date]) d
    order by 1, 2`,
];

interface Expected {
  doctors: number;
  patients: number;
  clinics: number;
  staff: number;
  storageBytes: number;
  apiRequests: number;
}

function expected(g: number, patientsPerOrg: number): Expected {
  const attachments = g % 5;
  return {
    doctors: 1 + (g % 3),
    patients: patientsPerOrg,
    clinics: 1 + (g % 2),
    staff: g % 4,
    storageBytes: 500 * attachments * (attachments + 1) + attachments * g,
    apiRequests: 7 * g,
  };
}

async function seedUsage(db: TestDatabase, orgs: number, patientsPerOrg: number, day: string): Promise<void> {
  const started = Date.now();
  await withClient(db.adminUrl, async (c) => {
    await c.query(`set session_replication_role = replica`);
    await c.query(`set synchronous_commit = off`);
    for (let from = 1; from <= orgs; from += 2000) {
      const to = Math.min(orgs, from + 1999);
      await c.query('begin');
      const [clinics, memberships, doctors, attachments, usageDaily] = EXTRA_SQL;
      for (const sql of [clinics, memberships, doctors]) await c.query(sql, [from, to]);
      await c.query(attachments, [from, to, patientsPerOrg]);
      await c.query(usageDaily, [from, to, day]);
      await c.query('commit');
    }
    await c.query('reset session_replication_role');
    // The seeds commit asynchronously, and VACUUM does not mark a page all-visible while the
    // commit of a row on it may still be unflushed: seedOrgs' VACUUM, right after its last
    // commit, leaves patients' pages not all-visible, so counting an org's patients would fetch
    // each row from the heap, which a region's autovacuum would not leave. Flush the WAL
    // (CHECKPOINT) first, then vacuum every counted table.
    // A transaction elsewhere in the cluster (this machine is shared) can hold the horizon back
    // for a moment too, so vacuum again until the pages are all-visible (a few tries).
    await c.query('checkpoint');
    const tables = ['organizations', 'patients', 'clinics', 'memberships', 'doctors', 'dental_attachments', 'usage_daily'];
    for (let attempt = 1; ; attempt++) {
      for (const t of tables) {
        const vacuum = `vacuum (analyze) ${t}`; // fixed names; utility commands take no bind parameters
        await c.query(vacuum);
      }
      const { rows } = await c.query<{ relname: string }>(`select relname from pg_class where relname = any($1) and relkind = 'r' and relallvisible < relpages`, [tables]);
      if (!rows.length) break;
      if (attempt === 5) {
        log(`  ${db.name}: not all-visible after ${attempt} vacuums: ${rows.map((r) => r.relname).join(', ')} (index-only scans will fetch from the heap)`);
        break;
      }
      await new Promise((done) => setTimeout(done, 2000));
    }
    await c.query('checkpoint');
  });
  log(`seeded the usage rows of ${db.name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

interface Region {
  label: string;
  orgs: number;
  db: TestDatabase;
  api: RunningApi;
  ids: string[];
}

/** One full report, as the collector makes it: every org of the region, ORGS_PER_CALL per call, one call after the other. */
async function fullReport(region: Region, day: string): Promise<UsageReport[]> {
  const reports: UsageReport[] = [];
  for (let i = 0; i < region.ids.length; i += ORGS_PER_CALL) {
    const query = new URLSearchParams({ orgIds: region.ids.slice(i, i + ORGS_PER_CALL).join(','), date: day });
    const res = await fetch(`${region.api.baseUrl}/internal/v1/usage?${query}`, { headers: { [SERVICE_TOKEN_HEADER]: region.api.serviceToken, accept: 'application/json' } });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${region.label}: GET /internal/v1/usage answered ${res.status}: ${text.slice(0, 300)}`);
    reports.push(JSON.parse(text) as UsageReport);
  }
  return reports;
}

/** Every org answered once, with exactly the counts it was seeded with; throws otherwise. */
function checkAnswers(region: Region, reports: UsageReport[], patientsPerOrg: number, day: string): void {
  const seen = new Map<string, number>();
  for (const r of reports) {
    if (r.unknown.length) throw new Error(`${region.label}: orgs reported unknown: ${r.unknown.slice(0, 3).join(', ')}`);
    if (r.date !== day || r.regionId !== REGION_ID) throw new Error(`${region.label}: report of ${r.regionId}/${r.date}, expected ${REGION_ID}/${day}`);
    for (const o of r.organizations) seen.set(o.orgId, (seen.get(o.orgId) ?? 0) + 1);
  }
  if (seen.size !== region.orgs || [...seen.values()].some((n) => n !== 1)) throw new Error(`${region.label}: ${seen.size} orgs answered (some more than once?), expected ${region.orgs}`);
  const byId = new Map(reports.flatMap((r) => r.organizations).map((o) => [o.orgId, o]));
  for (let g = 1; g <= region.orgs; g++) {
    const o = byId.get(region.ids[g - 1]);
    const want = expected(g, patientsPerOrg);
    const got = o && { doctors: o.doctors, patients: o.patients, clinics: o.clinics, staff: o.staff, storageBytes: o.storageBytes, apiRequests: o.apiRequests.count };
    if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${region.label}: org ${g} reported ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
  }
}

interface Plan {
  text: string;
  seqScans: string[];
  buffers: number;
  ms: number;
}

/** EXPLAIN (ANALYZE, BUFFERS) of the repository's statement for one org, as the app role with the tenant pinned as OrgScope pins it. */
async function explain(db: TestDatabase, org: string, day: string, generic: boolean): Promise<Plan> {
  return withClient(db.appUrl, async (c) => {
    await c.query('begin');
    try {
      await c.query(SET_TENANT_SQL, [org, '', clinicIdsSetting('*')]);
      let text: string;
      if (generic) {
        // The plan a prepared statement settles on after its first executions (parameters unknown).
        await c.query(`set local plan_cache_mode = force_generic_plan`);
        const prepare = `prepare mg_bench_usage_counts as ${COUNTS_SQL}`; // PREPARE takes the statement's text
        await c.query(prepare);
        // EXECUTE's arguments are literals here (checked formats: a uuid and a date).
        if (!/^[0-9a-f-]{36}$/.test(org) || !/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error('explain: not a uuid and a date');
        const execute = `explain (analyze, buffers, costs off) execute mg_bench_usage_counts('${org}', '${day}')`;
        const { rows } = await c.query<{ 'QUERY PLAN': string }>(execute);
        text = rows.map((r) => r['QUERY PLAN']).join('\n');
      } else {
        const statement = `explain (analyze, buffers, costs off) ${COUNTS_SQL}`;
        const { rows } = await c.query<{ 'QUERY PLAN': string }>(statement, [org, day]);
        text = rows.map((r) => r['QUERY PLAN']).join('\n');
      }
      const seqScans = [...text.matchAll(/Seq Scan on (\w+)/g)].map((m) => m[1]).filter((t) => COUNTED_TABLES.includes(t));
      // The top node's Buffers line covers the whole statement (its subplans included).
      const top = /Buffers: shared((?: \w+=\d+)+)/.exec(text);
      const buffers = top ? [...top[1].matchAll(/=(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0) : NaN;
      const ms = Number(/Execution Time: ([\d.]+) ms/.exec(text)?.[1] ?? NaN);
      return { text, seqScans, buffers, ms };
    } finally {
      await c.query('rollback');
    }
  });
}

interface Measurement {
  wallMs: number;
  pgMs: number | null;
  apiMs: number | null;
}

/** `repeat` full reports, back to back; the figures are per report. `check` sees the answers of each. */
async function measure(meter: CpuMeter, region: Region, day: string, repeat: number, check?: (reports: UsageReport[]) => void): Promise<Measurement> {
  const target = { apiPid: region.api.pid, database: region.db.name, role: 'medgenie_app' };
  const before = await meter.snapshot(target);
  const started = process.hrtime.bigint();
  for (let i = 0; i < repeat; i++) {
    const reports = await fullReport(region, day);
    check?.(reports);
  }
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = CpuMeter.delta(before, await meter.snapshot(target));
  return { wallMs: wallMs / repeat, pgMs: cpu.pg === null ? null : cpu.pg / repeat, apiMs: cpu.api === null ? null : cpu.api / repeat };
}

const perOrgUs = (ms: number | null, orgs: number) => (ms === null ? NaN : (ms * 1000) / orgs);

async function main(): Promise<void> {
  const manyOrgs = knob('BENCH_USAGE_ORGS', 10_000);
  const fewOrgs = knob('BENCH_USAGE_BASE_ORGS', 100);
  const patientsPerOrg = knob('BENCH_PATIENTS_PER_ORG', 200);
  const rounds = knob('BENCH_ROUNDS', 5);
  const poolSize = knob('BENCH_POOL_SIZE', 10);
  // The small region's report, repeated so that its round lasts about half as long as the large one's.
  const fewRepeat = Math.max(1, Math.round(manyOrgs / fewOrgs / 2));
  const day = new Date().toISOString().slice(0, 10);

  const pg = await startBenchPostgres();
  const issuer = await TestIssuer.create();
  const dbs: TestDatabase[] = [];
  const regions: Region[] = [];
  let meter: CpuMeter | undefined;
  try {
    for (const orgs of [fewOrgs, manyOrgs]) {
      const db = await prepareBenchDatabase(pg, `usage${orgs}`);
      dbs.push(db);
      await seedOrgs(db, { orgs, patientsPerOrg, batch: 1000 });
      await seedUsage(db, orgs, patientsPerOrg, day);
      const sizes = await withClient(db.adminUrl, async (c) => {
        const { rows } = await c.query(
          `select (select count(*)::int from patients) as patients, (select count(*)::int from doctors) as doctors,
                  (select count(*)::int from memberships) as memberships, (select count(*)::int from dental_attachments) as attachments,
                  pg_size_pretty(pg_total_relation_size('patients')) as patients_size`,
        );
        return rows[0] as { patients: number; doctors: number; memberships: number; attachments: number; patients_size: string };
      });
      log(`${db.name}: ${orgs} orgs, ${sizes.patients} patients (${sizes.patients_size}), ${sizes.doctors} doctors, ${sizes.memberships} memberships, ${sizes.attachments} attachments`);
      const api = await startApi({ label: `${orgs} orgs`, databaseUrl: db.appUrl, poolSize, issuer, regionId: REGION_ID });
      regions.push({ label: `${orgs} orgs`, orgs, db, api, ids: Array.from({ length: orgs }, (_, i) => orgId(i + 1)) });
    }
    const [few, many] = regions;

    // The warm-up of each region, not counted; its answers are checked: every org, with its seeded counts.
    meter = await CpuMeter.open(pg.adminUrl);
    const warm: Measurement[] = [];
    for (const region of regions) {
      // As long as a measured round (the small region's report repeated), so that both APIs and their pools are as warm.
      warm.push(await measure(meter, region, day, region === few ? fewRepeat : 1, (reports) => checkAnswers(region, reports, patientsPerOrg, day)));
      log(`${region.label}: warm-up report checked (${fmt(warm[warm.length - 1].wallMs, 0)} ms)`);
    }

    // Query plans, custom (first executions) and generic (a prepared statement's later ones), in both regions.
    const sample = (r: Region) => r.ids[Math.floor(r.orgs / 2)];
    const plans: { region: Region; generic: boolean; plan: Plan }[] = [];
    for (const region of regions) {
      for (const generic of [false, true]) plans.push({ region, generic, plan: await explain(region.db, sample(region), day, generic) });
    }

    // Measured rounds, ABBA.
    const results = new Map<Region, Measurement[]>([
      [few, []],
      [many, []],
    ]);
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? [few, many] : [many, few];
      for (const region of order) {
        const m = await measure(meter, region, day, region === few ? fewRepeat : 1);
        results.get(region)!.push(m);
        log(`round ${r + 1}/${rounds} ${region.label}: ${fmt(m.wallMs, 0)} ms wall, PG ${fmt(m.pgMs ?? NaN, 0)} ms, API ${fmt(m.apiMs ?? NaN, 0)} ms`);
      }
    }
    // And the answers are still right after the rounds (the last measured report of each region).
    for (const region of regions) checkAnswers(region, await fullReport(region, day), patientsPerOrg, day);

    print();
    print(
      `usage-collection: full report of a region of ${manyOrgs} orgs vs ${fewOrgs} orgs (x ${patientsPerOrg} patients, plus doctors, clinics, staff, ` +
        `attachments, usage_daily), ${ORGS_PER_CALL} orgs per call one call after another (as the control plane's collector), ` +
        `pool ${poolSize}, 1 warm-up + ${rounds} measured rounds per region (ABBA; a round of the ${fewOrgs}-org region is ${fewRepeat} reports back to back, figures per report)`,
    );
    print();
    const rows: (string | number)[][] = [];
    for (const region of regions) {
      const w = warm[regions.indexOf(region)];
      rows.push([region.label, 'warm-up', fmt(w.wallMs, 0), fmt(w.pgMs ?? NaN, 0), fmt(w.apiMs ?? NaN, 0), fmt(perOrgUs(w.wallMs, region.orgs), 0), fmt(perOrgUs(w.pgMs, region.orgs), 0), fmt(perOrgUs(w.apiMs, region.orgs), 0)]);
      const ms = results.get(region)!;
      ms.forEach((m, i) =>
        rows.push([
          region.label,
          `${i + 1}`,
          fmt(m.wallMs, 0),
          fmt(m.pgMs ?? NaN, 0),
          fmt(m.apiMs ?? NaN, 0),
          fmt(perOrgUs(m.wallMs, region.orgs), 0),
          fmt(perOrgUs(m.pgMs, region.orgs), 0),
          fmt(perOrgUs(m.apiMs, region.orgs), 0),
        ]),
      );
    }
    print(table(['region', 'report', 'wall ms', 'PG cpu ms', 'API cpu ms', 'wall µs/org', 'PG µs/org', 'API µs/org'], rows));
    print();
    const med = (region: Region, pick: (m: Measurement) => number | null) => median(results.get(region)!.map((m) => pick(m) ?? NaN));
    const summary: (string | number)[][] = regions.map((region) => [
      region.label,
      fmt(med(region, (m) => m.wallMs), 0),
      fmt(Math.max(...results.get(region)!.map((m) => m.wallMs)), 0),
      fmt(med(region, (m) => m.pgMs), 0),
      fmt(med(region, (m) => m.apiMs), 0),
      fmt(perOrgUs(med(region, (m) => m.wallMs), region.orgs), 0),
      fmt(perOrgUs(med(region, (m) => m.pgMs), region.orgs), 0),
      fmt(perOrgUs(med(region, (m) => m.apiMs), region.orgs), 0),
    ]);
    print(table(['region', 'median wall ms', 'max wall ms', 'median PG cpu ms', 'median API cpu ms', 'wall µs/org', 'PG µs/org', 'API µs/org'], summary));
    print();

    print('query plan of the usage statement (one org, app role, tenant pinned): seq scans of counted tables, buffers, execution time');
    print(
      table(
        ['region', 'plan', 'seq scans', 'shared buffers', 'buffers per call of 200', 'exec ms'],
        plans.map(({ region, generic, plan }) => [region.label, generic ? 'generic' : 'custom', plan.seqScans.join(', ') || 'none', plan.buffers, plan.buffers * ORGS_PER_CALL, fmt(plan.ms, 3)]),
      ),
    );
    const manyPlan = plans.find((p) => p.region === many && p.generic)!.plan;
    print();
    print(`generic plan, ${many.label}:`);
    print(manyPlan.text.replace(/^/gm, '  '));
    print();

    const ratios = results.get(many)!.map((m, i) => perOrgUs(m.wallMs, many.orgs) / perOrgUs(results.get(few)![i].wallMs, few.orgs));
    const pgRatios = results.get(many)!.map((m, i) => perOrgUs(m.pgMs, many.orgs) / perOrgUs(results.get(few)![i].pgMs, few.orgs));
    const ratio = median(ratios);
    const manyWall = med(many, (m) => m.wallMs);
    // In the small region a table of a few pages is read whole, rightly: only the large region's plans must not scan.
    const seqScans = plans.filter((p) => p.region === many).flatMap((p) => p.plan.seqScans);
    const bufferRatio = Math.max(...plans.filter((p) => p.region === many).map((p) => p.plan.buffers)) / Math.max(...plans.filter((p) => p.region === few).map((p) => p.plan.buffers));
    print(verdict(manyWall < TARGET_WALL_MS, `full report of ${manyOrgs} orgs: median ${fmt(manyWall / 1000, 2)} s wall (max ${fmt(Math.max(...results.get(many)!.map((m) => m.wallMs)) / 1000, 2)} s), target < ${TARGET_WALL_MS / 1000} s`));
    print(
      verdict(
        ratio <= TARGET_PER_ORG_RATIO,
        `per-org wall time ${many.label}/${few.label} = ${fmt(ratio, 3)} (median of ${ratios.length} paired rounds, range ${fmt(Math.min(...ratios), 3)}..${fmt(Math.max(...ratios), 3)}), ` +
          `target <= ${TARGET_PER_ORG_RATIO}; PG CPU per org ratio ${fmt(median(pgRatios), 3)}`,
      ),
    );
    print(
      verdict(
        seqScans.length === 0 && bufferRatio <= 1.5,
        `usage statement plan in the ${many.label} region: ${seqScans.length ? `seq scan of ${[...new Set(seqScans)].join(', ')}` : 'no seq scan (custom and generic)'}; ` +
          `buffers per org ${many.label}/${few.label} = ${fmt(bufferRatio, 2)} (target: no seq scan, ratio <= 1.5)`,
      ),
    );
  } finally {
    await Promise.all(regions.map((r) => r.api.close()));
    for (const db of dbs) await dropBenchDatabase(pg, db);
    await meter?.close();
    await issuer.close();
    await pg.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`usage-collection failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
