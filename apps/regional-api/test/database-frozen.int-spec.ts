import { Client } from 'pg';
import type { ErrorBody } from '@medgenie/http';
import { TestOrg, TestResponse } from '@medgenie/testing';
import { READY_CACHE_MS } from '../src/health/health.module';
import { startPgBouncer, PgBouncer } from './pgbouncer';
import { startTestRegion, testDb, TestRegion } from './support';

/**
 * The region's database in trouble answers fast. Frozen (its process stopped: connections are
 * accepted, nothing answers), its request pool held, or a row locked by someone else: a request
 * gets 503 DATABASE_UNAVAILABLE with Retry-After in about a second instead of hanging, liveness
 * stays up, readiness (over its own connection) answers at once, and everything recovers by
 * itself. The bounds asserted are twice the configured ones, for a busy machine.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const started = Date.now();
  const result = await work();
  return { result, ms: Date.now() - started };
}

function expectUnavailable(res: TestResponse<unknown>): void {
  expect({ status: res.status, body: res.body, retryAfter: res.headers['retry-after'] }).toMatchObject({
    status: 503,
    body: { statusCode: 503, code: 'DATABASE_UNAVAILABLE', message: 'The service is busy or its database is unreachable; retry shortly' },
    retryAfter: '1',
  });
}

/** Polls `probe` until it answers `status` (the database came back: nothing is restarted). */
async function eventually(probe: () => Promise<number>, status: number, ms = 10_000): Promise<number> {
  const deadline = Date.now() + ms;
  let last = 0;
  while (Date.now() < deadline) {
    last = await probe();
    if (last === status) break;
    await sleep(200);
  }
  return last;
}

async function createPatient(region: TestRegion, org: TestOrg, firstName: string, mobile: string): Promise<string> {
  const res = await region.client.post<{ id: string }>('/v1/patients', { firstName, lastName: 'Rao', mobileNumber: mobile }, { token: org.admin.token });
  expect(res.status).toBe(201);
  return res.body.id;
}

/** A transaction outside the API (the superuser's) holding the rows of `patientIds` FOR UPDATE. */
async function lockPatients(orgId: string, patientIds: string[]): Promise<Client & { release(): Promise<void> }> {
  const admin = new Client({ connectionString: testDb().adminUrl });
  await admin.connect();
  await admin.query('begin');
  await admin.query('select id from patients where organization_id = $1 and id = any($2::uuid[]) for update', [orgId, patientIds]);
  return Object.assign(admin, {
    release: async () => {
      await admin.query('rollback').catch(() => undefined);
      await admin.end();
    },
  });
}

/**
 * Waits until `count` sessions wait on a lock `locker` holds. Asked from a connection of its
 * own: within a transaction (the locker's) pg_stat_activity is a snapshot taken once.
 */
async function untilBlockedBy(locker: Client, count: number): Promise<void> {
  const pid = (locker as unknown as { processID: number }).processID;
  const monitor = new Client({ connectionString: testDb().adminUrl });
  await monitor.connect();
  try {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const { rows } = await monitor.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where $1 = any(pg_blocking_pids(pid))', [pid]);
      if (rows[0].n >= count) return;
      if (Date.now() > deadline) throw new Error(`${rows[0].n} of ${count} sessions wait on the lock`);
      await sleep(50);
    }
  } finally {
    await monitor.end();
  }
}

describe('region database frozen, exhausted or locked', () => {
  let bouncer: PgBouncer | undefined;
  let region: TestRegion | undefined;
  let locker: (Client & { release(): Promise<void> }) | undefined;

  afterEach(async () => {
    bouncer?.thaw();
    await locker?.release();
    await region?.close();
    await bouncer?.stop();
    bouncer = undefined;
    region = undefined;
    locker = undefined;
  });

  it('frozen: requests answer 503 within about a second, /healthz 200, /readyz 503 fast; all recovers by itself', async () => {
    bouncer = await startPgBouncer(testDb().appUrl, 4);
    // The default timeouts: what a region runs with.
    // The per-org share (DATABASE_ORG_MAX_CONNECTIONS) out of the way: what is tested here is the pool itself.
    region = await startTestRegion({ databaseUrl: bouncer.url, poolSize: 2, env: { DATABASE_PREPARED_STATEMENTS: 'false', DATABASE_ORG_MAX_CONNECTIONS: '100' } });
    const r = region;
    const org = await r.createOrg();
    const patientId = await createPatient(r, org, 'Ira', '+919812340001');
    const getPatient = () => r.client.get<ErrorBody>(`/v1/patients/${patientId}`, { token: org.admin.token });
    expect((await r.client.get('/readyz')).status).toBe(200);
    await sleep(READY_CACHE_MS + 50); // no cached answer from before the freeze

    bouncer.freeze();

    // An idle pooled connection that no longer answers: the query watchdog ends it.
    const one = await timed(getPatient);
    expectUnavailable(one.result);
    expect(one.ms).toBeLessThan(2_000);

    // More requests than the pool holds: connections that never finish their start-up, and a
    // request waiting for the pool. Each is bounded on its own.
    const many = await timed(() => Promise.all([1, 2, 3].map(() => timed(getPatient))));
    for (const res of many.result) {
      expectUnavailable(res.result);
      expect(res.ms).toBeLessThan(2_000);
    }

    const live = await timed(() => r.client.get('/healthz'));
    expect(live.result.status).toBe(200);
    expect(live.ms).toBeLessThan(1_000);
    const ready = await timed(() => r.client.get<{ status: string; error: Record<string, unknown> }>('/readyz'));
    expect(ready.result.status).toBe(503);
    expect(ready.result.body).toMatchObject({ status: 'error', error: { database: { status: 'down' } } });
    expect(JSON.stringify(ready.result.body)).not.toMatch(/127\.0\.0\.1|ECONN|postgres/);
    expect(ready.ms).toBeLessThan(1_000);

    bouncer.thaw();

    expect(await eventually(async () => (await getPatient()).status, 200)).toBe(200);
    expect(await eventually(async () => (await r.client.get('/readyz')).status, 200)).toBe(200);
    const renamed = await r.client.patch<{ firstName: string }>(`/v1/patients/${patientId}`, { firstName: 'Irawati' }, { token: org.admin.token });
    expect(renamed.status).toBe(200);
    expect(renamed.body.firstName).toBe('Irawati');
  });

  it('pool exhausted: a request that cannot get a connection gets 503 in bounded time, and /readyz does not queue behind it', async () => {
    // Lock waits long enough to hold both pooled connections for the whole test.
    region = await startTestRegion({
      poolSize: 2,
      env: { DATABASE_LOCK_TIMEOUT_MS: '30000', DATABASE_STATEMENT_TIMEOUT_MS: '30000', DATABASE_QUERY_TIMEOUT_MS: '31000', DATABASE_ORG_MAX_CONNECTIONS: '100' },
    });
    const r = region;
    const org = await r.createOrg();
    const ids = [await createPatient(r, org, 'Anu', '+919812340002'), await createPatient(r, org, 'Bina', '+919812340003')];
    locker = await lockPatients(org.orgId, ids);

    // Two updates wait on the locked rows, each holding one of the pool's two connections.
    const held = ids.map((id) => r.client.patch<{ lastName: string }>(`/v1/patients/${id}`, { lastName: 'Held' }, { token: org.admin.token }));
    await untilBlockedBy(locker, 2);

    const third = await timed(() => r.client.get<ErrorBody>(`/v1/patients/${ids[0]}`, { token: org.admin.token }));
    expectUnavailable(third.result);
    expect(third.ms).toBeLessThan(2_000);

    const ready = await timed(() => r.client.get('/readyz'));
    expect(ready.result.status).toBe(200);
    expect(ready.ms).toBeLessThan(1_000);

    await locker.release();
    locker = undefined;
    for (const res of await Promise.all(held)) {
      expect(res.status).toBe(200);
      expect(res.body.lastName).toBe('Held');
    }
    expect((await r.client.get(`/v1/patients/${ids[0]}`, { token: org.admin.token })).status).toBe(200);
  });

  it('locked: an update waiting on a row someone else holds gets 503 from the lock timeout, changes nothing, and works once the lock is gone', async () => {
    region = await startTestRegion({ poolSize: 2, env: { DATABASE_ORG_MAX_CONNECTIONS: '100' } });
    const r = region;
    const org = await r.createOrg();
    const id = await createPatient(r, org, 'Chitra', '+919812340004');
    locker = await lockPatients(org.orgId, [id]);

    const blocked = await timed(() => r.client.patch<ErrorBody>(`/v1/patients/${id}`, { lastName: 'Blocked' }, { token: org.admin.token }));
    expectUnavailable(blocked.result);
    expect(blocked.ms).toBeLessThan(2_000);
    // The request pool is not left short: its other requests run meanwhile.
    expect((await r.client.get(`/v1/patients/${id}`, { token: org.admin.token })).status).toBe(200);

    await locker.release();
    locker = undefined;
    const after = await r.client.get<{ lastName: string }>(`/v1/patients/${id}`, { token: org.admin.token });
    expect(after.body.lastName).toBe('Rao');
    const updated = await r.client.patch<{ lastName: string }>(`/v1/patients/${id}`, { lastName: 'Free' }, { token: org.admin.token });
    expect(updated.status).toBe(200);
    expect(updated.body.lastName).toBe('Free');
  });
});
