import { createServer } from 'node:net';
import { DatabaseProbe } from './database-probe';
import { FakePostgres } from './fake-postgres.spec-support';

/** The budget where a test needs a frozen database to be found out quickly. */
const TIMEOUT_MS = 200;
/**
 * The budget where a test needs a healthy database to be found up: a busy test machine can stall
 * this process (the fake server's too) for longer than 200 ms, and a probe is right to call that
 * "down".
 */
const GENEROUS_MS = 5_000;

/** Checks until the probe finds the (healthy) database up; fails if it never does within 5 s. */
async function eventuallyUp(probe: DatabaseProbe): Promise<void> {
  const deadline = Date.now() + 5_000;
  let up = false;
  while (!up && Date.now() < deadline) up = (await probe.check()).up;
  expect(up).toBe(true);
}

describe('DatabaseProbe', () => {
  let fake: FakePostgres;
  let probe: DatabaseProbe;

  beforeEach(async () => {
    fake = await FakePostgres.start();
    probe = new DatabaseProbe({ url: fake.url, applicationName: 'probe-test', timeoutMs: GENEROUS_MS, cacheMs: 0 });
  });

  afterEach(async () => {
    await probe.close();
    await fake.stop();
  });

  it('is up when the database answers, over one connection kept open', async () => {
    expect((await probe.check()).up).toBe(true);
    expect((await probe.check()).up).toBe(true);
    expect(fake.queries).toEqual(['select 1', 'select 1']);
    expect(fake.connections).toBe(1);
  });

  it('is down within its budget when the database freezes, and up again by itself when it answers', async () => {
    const quick = new DatabaseProbe({ url: fake.url, applicationName: 'probe-test', timeoutMs: TIMEOUT_MS, cacheMs: 0 });
    try {
      await eventuallyUp(quick);
      fake.frozen = true;
      for (let i = 0; i < 2; i++) {
        // The first check finds the open connection silent, the second cannot open a new one.
        const started = Date.now();
        const result = await quick.check();
        expect(result).toMatchObject({ up: false, reason: expect.stringMatching(/no answer|not reachable/) });
        expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 500);
      }
      fake.frozen = false;
      await eventuallyUp(quick);
    } finally {
      await quick.close();
    }
  });

  it('is down at once when nothing listens, and says nothing of the address', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = new DatabaseProbe({ url: `postgres://x@127.0.0.1:${port}/x`, applicationName: 't', timeoutMs: 5_000, cacheMs: 0 });
    try {
      const started = Date.now();
      const result = await refused.check();
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(result.up).toBe(false);
      expect(result.reason).toBe('not reachable');
      expect(result.error?.message).toMatch(/ECONNREFUSED/);
    } finally {
      await refused.close();
    }
  });

  it('shares one check between concurrent callers and reuses a recent result', async () => {
    const cached = new DatabaseProbe({ url: fake.url, applicationName: 't', timeoutMs: GENEROUS_MS, cacheMs: 60_000 });
    try {
      const results = await Promise.all(Array.from({ length: 20 }, () => cached.check()));
      expect(results.every((r) => r.up)).toBe(true);
      expect((await cached.check()).up).toBe(true);
      expect(fake.queries).toEqual(['select 1']);
    } finally {
      await cached.close();
    }
  });

  it('does not reuse a "down": the database coming back is seen at once, not after the cache time', async () => {
    const cached = new DatabaseProbe({ url: fake.url, applicationName: 't', timeoutMs: TIMEOUT_MS, cacheMs: 60_000 });
    try {
      fake.frozen = true;
      expect((await cached.check()).up).toBe(false);
      fake.frozen = false;
      await eventuallyUp(cached); // within 5 s, not the 60 s an "up" is kept
    } finally {
      await cached.close();
    }
  });
});
