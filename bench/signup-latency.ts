/**
 * Signup-to-active latency: POST /v1/signup on the control plane until the org is active in its
 * region (the 201), against a real regional API on its own database, both on this machine.
 * Baseline in the same run: the region's provisioning call alone (what the saga waits on), and
 * one argon2id hash with the production parameters (what the saga spends before it).
 */
import 'reflect-metadata';
import { randomBytes, randomUUID } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { SERVICE_TOKEN_HEADER } from '@medgenie/contracts';
import { prepareTestDatabase, TestIssuer } from '@medgenie/testing';
import { createControlPlaneApp } from '../apps/control-plane/src/app.factory';
import { loadControlPlaneConfig } from '../apps/control-plane/src/config/control-plane.config';
import { migrateControlPlaneDatabase } from '../apps/control-plane/src/database/data-source';
import { createRegionalApp } from '../apps/regional-api/src/app.factory';
import { loadRegionalConfig } from '../apps/regional-api/src/config/regional.config';
import { dropBenchDatabase, prepareBenchDatabase, startBenchPostgres } from './lib/db';
import { knob } from './lib/settings';
import { percentile, sortedCopy } from './lib/stats';

const SIGNUPS = knob('BENCH_SIGNUPS', 200);

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function summary(label: string, ms: number[]) {
  const s = sortedCopy(ms);
  return { label, n: ms.length, p50: percentile(s, 50), p99: percentile(s, 99) };
}

async function main(): Promise<void> {
  const pg = await startBenchPostgres();
  const regionDb = await prepareBenchDatabase(pg, 'signup_region');
  const cpDb = await prepareTestDatabase(pg, `${pg.baseName}_signup_cp`, migrateControlPlaneDatabase);
  const serviceToken = randomBytes(24).toString('hex');
  const issuer = await TestIssuer.create(); // the region needs a JWKS URL; signup does not use it
  const region = await createRegionalApp(
    loadRegionalConfig({
      REGION_ID: 'in',
      DATABASE_URL: regionDb.appUrl,
      JWKS_URL: issuer.jwksUrl,
      INTERNAL_SERVICE_TOKEN: serviceToken,
      LOG_LEVEL: 'silent',
    }),
  );
  await region.app.listen({ port: 0, host: '127.0.0.1' });
  const regionUrl = await region.app.getUrl();
  const cp = await createControlPlaneApp(
    loadControlPlaneConfig({
      DATABASE_URL: cpDb.appUrl,
      KEY_ENCRYPTION_SECRET: randomBytes(32).toString('hex'),
      REGION_SERVICE_TOKENS: JSON.stringify({ in: serviceToken }),
      REGION_API_URLS: JSON.stringify({ in: regionUrl.replace('[::1]', '127.0.0.1') }),
      GATEWAY_SERVICE_TOKEN: randomBytes(24).toString('hex'),
      LOG_LEVEL: 'silent',
    }),
  );
  await cp.listen({ port: 0, host: '127.0.0.1' });
  const cpUrl = (await cp.getUrl()).replace('[::1]', '127.0.0.1');

  const post = async (url: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    if (res.status !== 201) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
  };

  const signup: number[] = [];
  const provision: number[] = [];
  const argon: number[] = [];
  for (let i = 0; i < SIGNUPS + 10; i += 1) {
    const slug = `bench-${randomBytes(5).toString('hex')}`;
    const s = await timed(() =>
      post(`${cpUrl}/v1/signup`, {
        organizationName: `Bench ${slug}`,
        slug,
        regionId: 'in',
        adminName: 'Bench Admin',
        adminEmail: `${slug}@example.test`,
        adminPassword: 'correct horse battery staple',
        clinicName: 'Main',
      }),
    );
    const orgId = randomUUID();
    const p = await timed(() =>
      post(
        `${regionUrl}/internal/v1/organizations`,
        {
          organizationId: orgId,
          slug: `p-${slug}`,
          name: 'Baseline',
          plan: 'trial',
          clinic: { id: randomUUID(), name: 'Main' },
          admin: { userId: randomUUID(), displayName: 'Admin' },
        },
        { [SERVICE_TOKEN_HEADER]: serviceToken },
      ),
    );
    const a = await timed(() => hash('correct horse battery staple', { memoryCost: 19_456, timeCost: 2, parallelism: 1, algorithm: 2 }));
    if (i >= 10) {
      signup.push(s);
      provision.push(p);
      argon.push(a);
    }
  }
  const rows = [summary('signup to active (POST /v1/signup -> 201)', signup), summary('baseline: region provisioning call alone', provision), summary('baseline: one argon2id hash (19 MiB, t=2, p=1)', argon)];
  process.stdout.write(`\nsignup-latency: ${SIGNUPS} sequential signups, control plane + regional API (in) on one machine\n\n`);
  for (const r of rows) process.stdout.write(`${r.label.padEnd(48)} n=${r.n}  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms\n`);
  const ratio = rows[0].p50 / (rows[1].p50 + rows[2].p50);
  process.stdout.write(`\nsignup p50 / (provisioning p50 + argon2 p50) = ${ratio.toFixed(2)} (the saga's own overhead on top of the work it must do)\n`);

  await cp.close();
  await region.app.close();
  await issuer.close();
  await dropBenchDatabase(pg, regionDb);
  await dropBenchDatabase(pg, cpDb);
  await pg.stop();
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
