/**
 * Logins per second per core with the production argon2id parameters (OWASP: m=19 MiB, t=2, p=1).
 * POST /v1/auth/login over HTTP at a fixed concurrency; CPU time of the process is measured, so the
 * figure is logins per CPU-second. Baseline in the same run: bare argon2id verifications per
 * CPU-second, the floor a login cannot go below.
 */
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { prepareTestDatabase } from '@medgenie/testing';
import { createControlPlaneApp } from '../apps/control-plane/src/app.factory';
import { loadControlPlaneConfig } from '../apps/control-plane/src/config/control-plane.config';
import { migrateControlPlaneDatabase } from '../apps/control-plane/src/database/data-source';
import { dropBenchDatabase, startBenchPostgres } from './lib/db';
import { knob } from './lib/settings';

const SECONDS = knob('BENCH_SECONDS', 10);
const CONCURRENCY = knob('BENCH_CONNECTIONS', 4);
const PARAMS = { memoryCost: 19_456, timeCost: 2, parallelism: 1, algorithm: 2 as const };

function cpuSeconds(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1e6;
}

async function loop(seconds: number, concurrency: number, once: () => Promise<void>): Promise<{ count: number; wall: number; cpu: number }> {
  const cpuStart = process.cpuUsage();
  const t0 = Date.now();
  let count = 0;
  const deadline = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        await once();
        count += 1;
      }
    }),
  );
  return { count, wall: (Date.now() - t0) / 1000, cpu: cpuSeconds(cpuStart) };
}

async function main(): Promise<void> {
  const pg = await startBenchPostgres();
  const db = await prepareTestDatabase(pg, `${pg.baseName}_login_cp`, migrateControlPlaneDatabase);
  const email = `bench-${randomBytes(4).toString('hex')}@medgenie.test`;
  const password = 'platform admin password 1';
  const app = await createControlPlaneApp(
    loadControlPlaneConfig({
      DATABASE_URL: db.appUrl,
      KEY_ENCRYPTION_SECRET: randomBytes(32).toString('hex'),
      REGION_SERVICE_TOKENS: '{}',
      GATEWAY_SERVICE_TOKEN: randomBytes(24).toString('hex'),
      PLATFORM_ADMIN_EMAIL: email,
      PLATFORM_ADMIN_PASSWORD: password,
      // The bench measures password logins: no second factor.
      PLATFORM_ADMIN_MFA_REQUIRED: 'false',
      LOG_LEVEL: 'silent',
    }),
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/v1/auth/login`;
  const body = JSON.stringify({ email, password });
  const login = async () => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    if (res.status !== 200) throw new Error(`login answered ${res.status}`);
    await res.arrayBuffer();
  };
  const stored = await hash(password, PARAMS);
  const bare = async () => {
    if (!(await verify(stored, password))) throw new Error('verify failed');
  };

  await loop(2, CONCURRENCY, login); // warm-up
  const rounds: { logins: Awaited<ReturnType<typeof loop>>; verifies: Awaited<ReturnType<typeof loop>> }[] = [];
  for (let i = 0; i < 2; i += 1) {
    rounds.push({ logins: await loop(SECONDS / 2, CONCURRENCY, login), verifies: await loop(SECONDS / 2, CONCURRENCY, bare) });
  }
  const sum = (k: 'logins' | 'verifies', f: 'count' | 'wall' | 'cpu') => rounds.reduce((a, r) => a + r[k][f], 0);
  const loginsPerCpu = sum('logins', 'count') / sum('logins', 'cpu');
  const verifiesPerCpu = sum('verifies', 'count') / sum('verifies', 'cpu');
  process.stdout.write(`\nlogin-throughput: argon2id m=19456 KiB t=2 p=1, ${CONCURRENCY} concurrent callers, ${SECONDS} s each (2 interleaved rounds)\n\n`);
  process.stdout.write(`POST /v1/auth/login      ${(sum('logins', 'count') / sum('logins', 'wall')).toFixed(1)} /s wall   ${loginsPerCpu.toFixed(1)} per CPU-second (per core)\n`);
  process.stdout.write(`baseline argon2 verify   ${(sum('verifies', 'count') / sum('verifies', 'wall')).toFixed(1)} /s wall   ${verifiesPerCpu.toFixed(1)} per CPU-second\n`);
  process.stdout.write(`\nlogin / bare verify, per CPU-second = ${(loginsPerCpu / verifiesPerCpu).toFixed(2)}\n`);
  await app.close();
  await dropBenchDatabase(pg, db);
  await pg.stop();
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
