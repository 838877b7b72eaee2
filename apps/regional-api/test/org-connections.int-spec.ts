import { Client } from 'pg';
import { TestOrg } from '@medgenie/testing';
import { startTestRegion, testDb, TestRegion } from './support';

/**
 * No org can take all of a region's database connections: however many slow requests one org
 * has in flight, another org's requests find a connection at once. One org's requests over its
 * share (DATABASE_ORG_MAX_CONNECTIONS; by default the pool but a quarter of it) wait a bounded
 * time, then get 503 ORGANIZATION_BUSY with Retry-After.
 */
describe("one org's slow requests never hold all of the region's connections", () => {
  let region: TestRegion | undefined;
  let locker: Client | undefined;
  afterAll(async () => {
    await locker?.query('rollback').catch(() => undefined);
    await locker?.end();
    await region?.close();
  });

  async function createPatient(org: TestOrg, firstName: string, mobile: string): Promise<string> {
    const res = await region!.client.post<{ id: string }>('/v1/patients', { firstName, lastName: 'Rao', mobileNumber: mobile }, { token: org.admin.token });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  it("keeps connections for the other orgs while one org's requests wait on locks", async () => {
    // A pool of 4: org A may hold 3. Lock waits long enough to hold them for the whole test.
    region = await startTestRegion({ poolSize: 4, env: { DATABASE_LOCK_TIMEOUT_MS: '30000', DATABASE_STATEMENT_TIMEOUT_MS: '30000', DATABASE_QUERY_TIMEOUT_MS: '31000' } });
    const r = region;
    const [a, b] = [await r.createOrg(), await r.createOrg()];
    const ids = [await createPatient(a, 'Anu', '+919812350001'), await createPatient(a, 'Bina', '+919812350002'), await createPatient(a, 'Chitra', '+919812350003'), await createPatient(a, 'Devi', '+919812350004')];
    const other = await createPatient(b, 'Esha', '+919812350005');

    locker = new Client({ connectionString: testDb().adminUrl });
    await locker.connect();
    await locker.query('begin');
    await locker.query('select id from patients where organization_id = $1 and id = any($2::uuid[]) for update', [a.orgId, ids]);

    // Org A's four updates: three hold a connection each, waiting on the locked rows; the fourth waits for A's turn.
    const held = ids.map((id) => r.client.patch<{ lastName: string }>(`/v1/patients/${id}`, { lastName: 'Held' }, { token: a.admin.token }));
    const monitor = new Client({ connectionString: testDb().adminUrl });
    await monitor.connect();
    const pid = (locker as unknown as { processID: number }).processID;
    try {
      for (let n = 0; n < 3; ) {
        n = (await monitor.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where $1 = any(pg_blocking_pids(pid))', [pid])).rows[0].n;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await monitor.end();
    }

    // Org B is served from the connection kept for the others, however long A's wait.
    for (let i = 0; i < 3; i += 1) {
      const res = await r.client.get<{ id: string }>(`/v1/patients/${other}`, { token: b.admin.token });
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(other);
    }
    // Another request of A's: over its share, it waits its turn a bounded time and is told to come back.
    const busy = await r.client.get<{ code: string }>(`/v1/patients/${ids[0]}`, { token: a.admin.token });
    expect({ status: busy.status, code: busy.body.code, retryAfter: busy.headers['retry-after'] }).toEqual({ status: 503, code: 'ORGANIZATION_BUSY', retryAfter: '1' });

    await locker.query('rollback');
    await locker.end();
    locker = undefined;
    const statuses = (await Promise.all(held)).map((res) => res.status);
    // The three that held a connection go through; the fourth waited longer than its bound.
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(3);
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    expect((await r.client.get(`/v1/patients/${ids[3]}`, { token: a.admin.token })).status).toBe(200);
  });
});
