/**
 * prescription-write: what the API costs when writing a prescription with 5 items.
 *
 * Side A: `POST /v1/prescriptions` over HTTP (autocannon, closed loop) against the regional API in
 * its own process: JWT check, one transaction with the tenant pinned, membership, checks, the
 * prescription and its 5 lines, the audit event, commit.
 * Side B: the same inserts with plain `pg` from this process, as the same app role with the same
 * tenant settings and the same pool size and concurrency: begin; set_config; insert the
 * prescription; insert its 5 items (one statement); insert the audit event; commit. That is the
 * database work with no API around it.
 *
 * Rounds interleave ABBA after a warm-up on each side. Target: throughput API/plain >= 0.5.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Pool, PoolClient } from 'pg';
import { SET_TENANT_SQL } from '@medgenie/database';
import { TestIssuer } from '@medgenie/testing';
import { RunningApi, startApi } from './lib/api';
import { CpuMeter, CpuTarget } from './lib/cpu';
import { dropBenchDatabase, prepareBenchDatabase, seedOrgs, startBenchPostgres, TestDatabase, withClient } from './lib/db';
import { md5Uuid, membershipId, orgId, REGION_ID, TARGET_ORG, userId } from './lib/fixture';
import { RoundResult, runRound } from './lib/load';
import { fmt, log, print, table, verdict } from './lib/report';
import { knob } from './lib/settings';
import { median, percentile, sortedCopy } from './lib/stats';

const TARGET_RATIO = 0.5;
const ITEMS = 5;
const API_APP_NAME = 'medgenie-regional-api';
const PLAIN_APP_NAME = 'medgenie-bench-plain';
const API_DIAGNOSIS = 'Bench: API';
const PLAIN_DIAGNOSIS = 'Bench: plain pg';

const doctorId = (n: number) => md5Uuid(`bench-doctor-${n}`);

/**
 * The API validates ids as RFC 4122 UUIDs, which md5-derived ids are not; the clinic and the
 * patients this benchmark writes for get deterministic ids with the version and variant bits set.
 */
const asV4 = (uuid: string) => `${uuid.slice(0, 14)}4${uuid.slice(15, 19)}${'89ab'[parseInt(uuid[19], 16) % 4]}${uuid.slice(20)}`;
const RX_CLINIC = asV4(md5Uuid('bench-rx-clinic'));
const rxPatient = (i: number) => asV4(md5Uuid(`bench-rx-patient-${i}`));
const RX_PATIENTS = 50;

interface Medicine {
  id: string;
  name: string;
}

/**
 * What provisioning and the doctors API leave behind, for the target org: its admin's doctor
 * profile, practising at a clinic, and patients to write for.
 */
async function seedPrescribing(db: TestDatabase): Promise<void> {
  const org = orgId(TARGET_ORG);
  await withClient(db.adminUrl, async (c) => {
    await c.query(
      `insert into clinics (organization_id, id, name, code, timezone, is_primary) values ($1, $2, 'Rx Clinic', 'RX', 'Asia/Kolkata', false)`,
      [org, RX_CLINIC],
    );
    await c.query(`insert into doctors (organization_id, id, membership_id, specialization) values ($1, $2, $3, 'General Medicine')`, [
      org,
      doctorId(TARGET_ORG),
      membershipId(TARGET_ORG),
    ]);
    await c.query(`insert into doctor_clinics (organization_id, doctor_id, clinic_id) values ($1, $2, $3)`, [org, doctorId(TARGET_ORG), RX_CLINIC]);
    const ids = Array.from({ length: RX_PATIENTS }, (_, i) => rxPatient(i + 1));
    await c.query(
      `insert into patients (organization_id, id, first_name, last_name, mobile_number)
       select $1, id, 'Rx', 'Patient ' || n, '+9197' || lpad(n::text, 8, '0') from unnest($2::uuid[]) with ordinality as u(id, n)`,
      [org, ids],
    );
    for (const t of ['clinics', 'doctors', 'doctor_clinics', 'patients', 'medicines']) {
      const vacuum = `vacuum (analyze) ${t}`; // fixed names; utility commands take no bind parameters
      await c.query(vacuum);
    }
  });
}

function lines(medicines: Medicine[]) {
  return medicines.map((m, i) => ({
    medicineId: m.id,
    dosage: `${i + 1} tablet`,
    frequency: '1-0-1',
    duration: '5 days',
    quantity: 10,
    instructions: 'after food',
  }));
}

// The plain side's statements, prepared by name as a careful pg user would.
const INSERT_PRESCRIPTION = `insert into prescriptions (organization_id, id, clinic_id, patient_id, doctor_id, appointment_id, diagnosis, notes, created_by)
  values ($1, $2, $3, $4, $5, null, $6, null, $7)`;
const INSERT_ITEMS = `insert into prescription_items (organization_id, clinic_id, prescription_id, position, medicine_id, medicine_name,
  dosage, frequency, duration, quantity, instructions, short_key_id) values ${Array.from(
    { length: ITEMS },
    (_, i) => `($1, $2, $3, ${i}, $${4 + i * 7}, $${5 + i * 7}, $${6 + i * 7}, $${7 + i * 7}, $${8 + i * 7}, $${9 + i * 7}, $${10 + i * 7}, null)`,
  ).join(', ')}`;
const INSERT_AUDIT = `insert into audit_events
  (organization_id, actor_type, actor_user_id, clinic_id, action, resource_type, resource_id, request_id, details)
  values ($1, 'user', $2, $3, 'prescription.create', 'prescription', $4, $5, $6)`;

/** One prescription with its items and its audit event, in one transaction, with plain pg. */
async function plainWrite(pool: Pool, medicines: Medicine[], patient: string): Promise<void> {
  const org = orgId(TARGET_ORG);
  const clinic = RX_CLINIC;
  const id = randomUUID();
  const client: PoolClient = await pool.connect();
  try {
    await client.query('begin');
    await client.query({ name: 'rxw_tenant', text: SET_TENANT_SQL, values: [org, userId(TARGET_ORG), '*'] });
    await client.query({
      name: 'rxw_prescription',
      text: INSERT_PRESCRIPTION,
      values: [org, id, clinic, patient, doctorId(TARGET_ORG), PLAIN_DIAGNOSIS, userId(TARGET_ORG)],
    });
    await client.query({
      name: 'rxw_items',
      text: INSERT_ITEMS,
      values: [org, clinic, id, ...lines(medicines).flatMap((l, i) => [l.medicineId, medicines[i].name, l.dosage, l.frequency, l.duration, l.quantity, l.instructions])],
    });
    await client.query({
      name: 'rxw_audit',
      text: INSERT_AUDIT,
      values: [org, userId(TARGET_ORG), clinic, id, randomUUID(), { patientId: patient, appointmentId: null, items: ITEMS, shortKeyIds: [] }],
    });
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** A closed-loop round of plain writes: `connections` workers, each writing back to back, for `seconds`. */
async function runPlainRound(pool: Pool, medicines: Medicine[], patients: string[], connections: number, seconds: number): Promise<RoundResult> {
  const latencies: number[] = [];
  const statusCounts: Record<string, number> = {};
  let ok = 0;
  let failed = 0;
  let next = 0;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const patient = patients[next++ % patients.length];
        const t0 = performance.now();
        try {
          await plainWrite(pool, medicines, patient);
          ok += 1;
          latencies.push(performance.now() - t0);
        } catch (err) {
          failed += 1;
          const key = (err as { code?: string }).code ?? 'error';
          statusCounts[key] = (statusCounts[key] ?? 0) + 1;
        }
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  statusCounts['2xx'] = ok;
  return { ok, failed, statusCounts, seconds: elapsed, rps: ok / elapsed, latencies };
}

interface SideRound extends RoundResult {
  nodeCpuMs: number | null;
  pgCpuMs: number | null;
}

interface Side {
  label: string;
  cpu: CpuTarget;
  round(seconds: number): Promise<RoundResult>;
  rounds: SideRound[];
}

function summary(side: Side) {
  const ok = side.rounds.reduce((n, r) => n + r.ok, 0);
  const seconds = side.rounds.reduce((n, r) => n + r.seconds, 0);
  const lat = sortedCopy(side.rounds.flatMap((r) => r.latencies));
  const perReq = (key: 'nodeCpuMs' | 'pgCpuMs') =>
    side.rounds.some((r) => r[key] === null) ? null : side.rounds.reduce((n, r) => n + (r[key] ?? 0), 0) / ok;
  return {
    rps: ok / seconds,
    roundRps: side.rounds.map((r) => r.rps),
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    nodeCpu: perReq('nodeCpuMs'),
    pgCpu: perReq('pgCpuMs'),
    failed: side.rounds.reduce((n, r) => n + r.failed, 0),
  };
}

async function main(): Promise<void> {
  const orgs = knob('BENCH_RXW_ORGS', 10);
  const patientsPerOrg = knob('BENCH_PATIENTS_PER_ORG', 200);
  const poolSize = knob('BENCH_POOL_SIZE', 10);
  const connections = knob('BENCH_CONNECTIONS', 10);
  const warmupSeconds = knob('BENCH_WARMUP_SECONDS', 5);
  const rounds = knob('BENCH_ROUNDS', 10);
  const roundSeconds = knob('BENCH_ROUND_SECONDS', 3);

  const pg = await startBenchPostgres();
  const issuer = await TestIssuer.create();
  let api: RunningApi | undefined;
  let pool: Pool | undefined;
  let meter: CpuMeter | undefined;
  let db: TestDatabase | undefined;
  try {
    db = await prepareBenchDatabase(pg, 'rxw');
    await seedOrgs(db, { orgs, patientsPerOrg });
    await seedPrescribing(db);
    const medicines = await withClient(db.adminUrl, async (c) =>
      (await c.query<Medicine>(`select id, name from medicines where organization_id is null and is_active order by name, id limit $1`, [ITEMS])).rows,
    );
    if (medicines.length < ITEMS) throw new Error(`the global medicine catalogue holds ${medicines.length} medicines, ${ITEMS} needed`);
    const visible = await withClient(db.appUrl, async (c) => Number((await c.query('select count(*)::int as n from patients')).rows[0].n));
    if (visible !== 0) throw new Error('the app connection sees patients with no tenant set: it is not subject to RLS');

    api = await startApi({ label: 'api', databaseUrl: db.appUrl, poolSize, issuer, regionId: REGION_ID });
    pool = new Pool({ connectionString: db.appUrl, max: poolSize, application_name: PLAIN_APP_NAME });
    const token = await issuer.userToken({ userId: userId(TARGET_ORG), orgId: orgId(TARGET_ORG), regionId: REGION_ID, role: 'org_admin' });
    const patients = Array.from({ length: RX_PATIENTS }, (_, i) => rxPatient(i + 1));
    const requests = patients.map((patient) => ({
      method: 'POST' as const,
      path: '/v1/prescriptions',
      body: { clinicId: RX_CLINIC, patientId: patient, diagnosis: API_DIAGNOSIS, items: lines(medicines) },
    }));

    // Sanity: both sides write the same thing.
    const first = await fetch(`${api.baseUrl}/v1/prescriptions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(requests[0].body),
    });
    const created = (await first.json()) as { id?: string; items?: { medicineName: string }[]; doctorId?: string };
    if (first.status !== 201 || created.items?.length !== ITEMS || created.doctorId !== doctorId(TARGET_ORG)) {
      throw new Error(`POST /v1/prescriptions answered ${first.status}: ${JSON.stringify(created)}`);
    }
    await plainWrite(pool, medicines, patients[0]);
    const shapes = await withClient(db.adminUrl, async (c) =>
      (
        await c.query<{ diagnosis: string; items: string; names: string; audits: number }>(
          `select p.diagnosis, string_agg(i.medicine_id::text || ':' || i.position, ',' order by i.position) as items,
                  string_agg(i.medicine_name, ',' order by i.position) as names,
                  (select count(*)::int from audit_events a where a.organization_id = p.organization_id and a.resource_id = p.id) as audits
             from prescriptions p join prescription_items i on i.organization_id = p.organization_id and i.prescription_id = p.id
            where p.organization_id = $1 group by p.organization_id, p.id, p.diagnosis order by p.diagnosis`,
          [orgId(TARGET_ORG)],
        )
      ).rows,
    );
    if (shapes.length !== 2 || shapes[0].items !== shapes[1].items || shapes[0].names !== shapes[1].names || shapes.some((s) => s.audits !== 1)) {
      throw new Error(`the two sides wrote different rows: ${JSON.stringify(shapes)}`);
    }
    log(`sanity: both sides wrote a prescription with the same ${ITEMS} lines and one audit event`);

    meter = await CpuMeter.open(pg.adminUrl);
    const sides: Side[] = [
      {
        label: 'API',
        cpu: { apiPid: api.pid, database: db.name, role: 'medgenie_app', applicationName: API_APP_NAME },
        round: (seconds) => runRound({ baseUrl: api!.baseUrl, token, paths: [], requests, connections, seconds }),
        rounds: [],
      },
      {
        label: 'plain pg',
        cpu: { apiPid: process.pid, database: db.name, role: 'medgenie_app', applicationName: PLAIN_APP_NAME },
        round: (seconds) => runPlainRound(pool!, medicines, patients, connections, seconds),
        rounds: [],
      },
    ];
    for (const side of sides) {
      const warm = await side.round(warmupSeconds);
      log(`prescription-write warm-up ${side.label}: ${fmt(warm.rps)} writes/s${warm.failed ? `, ${warm.failed} failed ${JSON.stringify(warm.statusCounts)}` : ''}`);
    }
    // This machine's Postgres runs with autovacuum off. Without it the written tables are never
    // analyzed, and plans cached while they were nearly empty (the foreign-key checks' and the
    // triggers') scan them in full: every write slows as they grow, on both sides. Between
    // rounds, outside the measurement, do what autovacuum would.
    const analyzeWritten = () =>
      withClient(db!.adminUrl, async (c) => {
        for (const t of ['prescriptions', 'prescription_items', 'audit_events']) {
          const vacuum = `vacuum (analyze) ${t}`; // fixed names; utility commands take no bind parameters
          await c.query(vacuum);
        }
      });
    for (let i = 0; i < rounds; i += 1) {
      for (const side of i % 2 === 0 ? sides : [...sides].reverse()) {
        await analyzeWritten();
        const before = await meter.snapshot(side.cpu);
        const r = await side.round(roundSeconds);
        const cpu = CpuMeter.delta(before, await meter.snapshot(side.cpu));
        side.rounds.push({ ...r, nodeCpuMs: cpu.api, pgCpuMs: cpu.pg });
        const lat = sortedCopy(r.latencies);
        log(
          `prescription-write round ${i + 1}/${rounds} ${side.label}: ${fmt(r.rps)} writes/s, p50 ${fmt(percentile(lat, 50), 2)} ms, ` +
            `p99 ${fmt(percentile(lat, 99), 2)} ms${r.failed ? `, ${r.failed} failed ${JSON.stringify(r.statusCounts)}` : ''}`,
        );
      }
    }

    // Every write that succeeded left one prescription with its 5 items and one audit event
    // (counted per prescription with one pass over each table: tens of thousands of rows by now).
    const incomplete = await withClient(db.adminUrl, async (c) =>
      Number(
        (
          await c.query(
            `select count(*)::int as n
               from prescriptions p
               left join (select prescription_id, count(*) as n from prescription_items where organization_id = $1 group by prescription_id) i
                 on i.prescription_id = p.id
               left join (select resource_id, count(*) as n from audit_events
                           where organization_id = $1 and resource_type = 'prescription' and action = 'prescription.create' group by resource_id) a
                 on a.resource_id = p.id
              where p.organization_id = $1 and (coalesce(i.n, 0) <> $2 or coalesce(a.n, 0) <> 1)`,
            [orgId(TARGET_ORG), ITEMS],
          )
        ).rows[0].n,
      ),
    );
    if (incomplete !== 0) throw new Error(`${incomplete} prescriptions lack items or their audit event`);

    const [a, b] = sides.map(summary);
    print();
    print(
      `prescription-write: POST /v1/prescriptions with ${ITEMS} items vs the same inserts with plain pg (one transaction each, audit included), ` +
        `pool ${poolSize}, ${connections} concurrent clients, ${rounds} x ${roundSeconds} s rounds per side (ABBA) after ${warmupSeconds} s warm-up`,
    );
    print();
    print(
      table(
        ['side', 'writes/s', 'round writes/s', 'p50 ms', 'p99 ms', 'node cpu ms/write', 'PG cpu ms/write', 'failed'],
        sides.map((side, i) => {
          const s = [a, b][i];
          return [
            side.label,
            fmt(s.rps),
            `${fmt(Math.min(...s.roundRps), 0)}-${fmt(Math.max(...s.roundRps), 0)}`,
            fmt(s.p50, 2),
            fmt(s.p99, 2),
            s.nodeCpu === null ? 'n/a' : fmt(s.nodeCpu, 3),
            s.pgCpu === null ? 'n/a' : fmt(s.pgCpu, 3),
            s.failed,
          ];
        }),
      ),
    );
    print('(node cpu: the API process for the API side; this process, the pg client, for the plain side)');
    print();
    const pairs = a.roundRps.map((x, i) => x / b.roundRps[i]);
    const ratio = median(pairs);
    const ok = ratio >= TARGET_RATIO && a.failed === 0 && b.failed === 0;
    print(
      verdict(
        ok,
        `prescription write: throughput API/plain = ${fmt(ratio, 3)} (median of ${pairs.length} paired rounds, range ` +
          `${fmt(Math.min(...pairs), 3)}..${fmt(Math.max(...pairs), 3)}; all rounds pooled ${fmt(a.rps / b.rps, 3)}), target >= ${TARGET_RATIO}; ` +
          `p50 API ${fmt(a.p50, 2)} ms vs plain ${fmt(b.p50, 2)} ms, p99 API ${fmt(a.p99, 2)} ms vs plain ${fmt(b.p99, 2)} ms` +
          `${a.failed || b.failed ? ' [writes failed]' : ''}`,
      ),
    );
  } finally {
    await api?.close();
    await pool?.end();
    await meter?.close();
    if (db) await dropBenchDatabase(pg, db);
    await issuer.close();
    await pg.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`prescription-write failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
