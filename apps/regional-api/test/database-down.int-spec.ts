import { startPgBouncer, PgBouncer } from './pgbouncer';
import { startTestRegion, testDb, TestRegion } from './support';

/**
 * The region's database goes away (PgBouncer in front of it is stopped): tenant requests answer
 * 503 fast, liveness stays up, readiness says why, and everything recovers on its own.
 */
describe('region database down', () => {
  let bouncer: PgBouncer | undefined;
  let region: TestRegion | undefined;

  afterAll(async () => {
    await region?.close();
    await bouncer?.stop();
  });

  it('degrades to fast 503s and recovers by itself', async () => {
    bouncer = await startPgBouncer(testDb().appUrl, 4);
    region = await startTestRegion({ databaseUrl: bouncer.url, poolSize: 4, env: { DATABASE_POOL_TIMEOUT_MS: '1000', DATABASE_PREPARED_STATEMENTS: 'false' } });
    const org = await region.createOrg();
    const created = await region.client.post<{ id: string }>(
      '/v1/patients',
      { firstName: 'Ira', lastName: 'Sen', mobileNumber: '+919812340000' },
      { token: org.admin.token },
    );
    expect(created.status).toBe(201);

    const port = bouncer.port;
    await bouncer.stop();
    bouncer = undefined;

    const started = Date.now();
    const down = await region.client.get<{ statusCode: number; code: string }>(`/v1/patients/${created.body.id}`, { token: org.admin.token });
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ statusCode: 503, code: 'DATABASE_UNAVAILABLE' });
    expect(Date.now() - started).toBeLessThan(2_000);
    expect((await region.client.get('/healthz')).status).toBe(200);
    expect((await region.client.get('/readyz')).status).toBe(503);

    bouncer = await startPgBouncer(testDb().appUrl, 4, port);
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < deadline) {
      status = (await region.client.get(`/v1/patients/${created.body.id}`, { token: org.admin.token })).status;
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
    expect((await region.client.get('/readyz')).status).toBe(200);
  });
});
