import { Pool, PoolClient } from 'pg';
import { poolOptions } from './data-source';
import { FakePostgres } from './fake-postgres.spec-support';
import { WatchdogClient } from './watchdog-client';

const WATCHDOG_MS = 150;

function pool(fake: FakePostgres, max = 1): Pool {
  const p = new Pool({
    connectionString: fake.url,
    max,
    connectionTimeoutMillis: 1_000,
    Client: WatchdogClient,
    queryWatchdogMillis: WATCHDOG_MS,
  } as ConstructorParameters<typeof Pool>[0]);
  p.on('error', () => undefined);
  return p;
}

async function until(condition: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('WatchdogClient', () => {
  let fake: FakePostgres;
  let p: Pool;

  beforeEach(async () => {
    fake = await FakePostgres.start();
    p = pool(fake);
  });

  afterEach(async () => {
    await p.end().catch(() => undefined);
    await fake.stop();
  });

  it('fails a query the server never answers, and the connection is closed, not pooled again', async () => {
    const client: PoolClient = await p.connect();
    const started = Date.now();
    await expect(client.query('select pg_sleep(60)')).rejects.toThrow(/Connection terminated/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(WATCHDOG_MS - 5);
    await until(() => fake.closed === 1); // the socket is gone, whatever the server does

    // What TypeORM's release() does: no error. The pool still drops the connection.
    client.release();
    expect(p.totalCount).toBe(0);
    // A statement on it afterwards fails at once instead of queueing behind the lost one.
    await expect(client.query('rollback')).rejects.toThrow(/not queryable/);

    // The next borrower gets a fresh connection that works.
    await expect(p.query('select 1')).resolves.toBeDefined();
    expect(fake.connections).toBe(2);
  });

  it('fails every statement of a server that froze mid-connection, and recovers when it answers again', async () => {
    await p.query('select 1');
    fake.frozen = true;
    await expect(p.query('select 1')).rejects.toThrow(/Connection terminated/);
    // A new connection to a frozen server does not complete its start-up: the connect timeout.
    fake.frozen = false;
    await expect(p.query('select 1')).resolves.toBeDefined();
  });

  it('leaves connections whose queries are answered alone, however long they are kept', async () => {
    const client = await p.connect();
    for (let i = 0; i < 5; i++) await client.query('select 1');
    await new Promise((r) => setTimeout(r, WATCHDOG_MS * 3));
    await expect(client.query('select 1')).resolves.toBeDefined();
    client.release();
    expect(p.idleCount).toBe(1);
    expect(fake.connections).toBe(1);
    expect(fake.closed).toBe(0);
  });

  it('times each query from its own start, not from the first of a session', async () => {
    const client = await p.connect();
    for (let i = 0; i < 6; i++) {
      await client.query('select 1');
      await new Promise((r) => setTimeout(r, WATCHDOG_MS / 3));
    }
    expect(fake.closed).toBe(0);
    client.release();
  });
});

describe('poolOptions', () => {
  it('bounds every wait: pool, statement, and a watchdog above the statement timeout', () => {
    expect(poolOptions({})).toMatchObject({
      Client: WatchdogClient,
      connectionTimeoutMillis: 5_000,
      statement_timeout: 15_000,
      lock_timeout: 0,
      queryWatchdogMillis: 16_000,
    });
    expect(poolOptions({ poolTimeoutMs: 1_000, statementTimeoutMs: 800, lockTimeoutMs: 500, queryTimeoutMs: 1_000 })).toMatchObject({
      connectionTimeoutMillis: 1_000,
      statement_timeout: 800,
      lock_timeout: 500,
      queryWatchdogMillis: 1_000,
    });
    expect(poolOptions({ statementTimeoutMs: 0 }).queryWatchdogMillis).toBe(0);
  });
});
