import { createHash, randomUUID } from 'node:crypto';
import { createServer, Socket } from 'node:net';
import Redis, { RedisOptions } from 'ioredis';
import { TAKE_SCRIPT, TokenBuckets } from './token-buckets';

/** Against the machine's real Redis (REDIS_URL), each test under its own key prefix. */
describe('TokenBuckets', () => {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const clients: Redis[] = [];
  const client = (url = redisUrl, options: RedisOptions = {}) => {
    const redis = new Redis(url, { maxRetriesPerRequest: 0, ...options });
    redis.on('error', () => undefined);
    clients.push(redis);
    return redis;
  };
  const limit = { perSecond: 0.05, burst: 3 }; // a token every 20 s: no refill during a test
  const takeAll = async (buckets: TokenBuckets[], key: string, n: number) => {
    const takes = [];
    for (let i = 0; i < n; i++) takes.push(await buckets[i % buckets.length].take(key, limit));
    return takes;
  };
  let prefix: string;

  beforeEach(() => (prefix = `medgenie:test:buckets:${randomUUID()}:`));
  afterAll(() => clients.forEach((c) => c.disconnect()));

  it('shares one bucket between instances on separate connections, and keeps keys apart', async () => {
    const a = new TokenBuckets(client(), prefix);
    const b = new TokenBuckets(client(), prefix);
    const takes = await takeAll([a, b], 'org-1', 4);
    expect(takes.map((t) => t.allowed)).toEqual([true, true, true, false]);
    expect(takes[3].retryAfterMs).toBeGreaterThan(0);
    expect(takes[3].retryAfterMs).toBeLessThanOrEqual(20_000);
    // Another key has its own full bucket.
    expect((await takeAll([b, a], 'org-2', 3)).every((t) => t.allowed)).toBe(true);
  });

  it('sends the script by its SHA, and loads it again once when the script cache is flushed', async () => {
    const seen: string[] = [];
    const monitor = await client().monitor(); // a connection of its own
    clients.push(monitor);
    monitor.on('monitor', (_time: string, args: string[]) => {
      const command = args[0].toLowerCase();
      if ((command === 'eval' || command === 'evalsha') && args.some((a) => a.startsWith(prefix))) seen.push(command);
    });
    const redis = client();
    const buckets = new TokenBuckets(redis, prefix);
    await buckets.take('org-1', limit);
    // A Redis restart or SCRIPT FLUSH forgets it: the next take loads it again and still counts.
    await client().script('FLUSH');
    const takes = await takeAll([buckets], 'org-1', 3);
    expect(takes.map((t) => t.allowed)).toEqual([true, true, false]);
    for (let i = 0; i < 40 && seen.length < 5; i++) await new Promise((r) => setTimeout(r, 50));
    // The script itself goes once on a new connection and once after NOSCRIPT; every other take is by SHA.
    expect(seen).toEqual(['eval', 'evalsha', 'eval', 'evalsha', 'evalsha']);
    expect(await redis.script('EXISTS', createHash('sha1').update(TAKE_SCRIPT).digest('hex'))).toEqual([1]);
  });

  it('defines its command once on a client shared by several bucket sets', async () => {
    const redis = client();
    const first = new TokenBuckets(redis, prefix + 'a:');
    const second = new TokenBuckets(redis, prefix + 'b:');
    expect((await takeAll([first], 'k', 4)).map((t) => t.allowed)).toEqual([true, true, true, false]);
    expect((await takeAll([second], 'k', 4)).map((t) => t.allowed)).toEqual([true, true, true, false]);
  });

  it('holds its limits in this process while Redis does not answer, and says so once', async () => {
    const down = client('redis://127.0.0.1:1', { enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => null });
    const failures: unknown[] = [];
    const buckets = new TokenBuckets(down, prefix, (err) => failures.push(err));
    const takes = await takeAll([buckets], 'org-1', 4);
    expect(takes.map((t) => t.allowed)).toEqual([true, true, true, false]);
    expect(takes[3].retryAfterMs).toBeGreaterThan(0);
    expect(failures).toHaveLength(1);
  });

  it('stops waiting on a Redis that hangs: one request times out, the next go local at once, one take a second probes it', async () => {
    // A server that accepts and never answers: every command sent to it is counted.
    let commands = 0;
    const sockets: Socket[] = [];
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.on('data', (data) => (commands += (data.toString().match(/\r\neval(sha)?\r\n/gi) ?? []).length));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const hung = client(`redis://127.0.0.1:${port}`, { enableReadyCheck: false, enableOfflineQueue: false, commandTimeout: 100 });
      await new Promise((resolve) => hung.once('ready', resolve));
      const failures: unknown[] = [];
      const buckets = new TokenBuckets(hung, prefix, (err) => failures.push(err));

      const takes = await takeAll([buckets], 'org-1', 4);
      expect(takes.map((t) => t.allowed)).toEqual([true, true, true, false]); // the limit holds here meanwhile
      expect(commands).toBe(1); // only the first take went to Redis, and waited for its timeout
      expect(failures).toHaveLength(1);

      await new Promise((r) => setTimeout(r, 1_100));
      expect((await buckets.take('org-1', limit)).allowed).toBe(false); // answered locally...
      await takeAll([buckets], 'org-1', 5);
      await new Promise((r) => setTimeout(r, 50));
      expect(commands).toBe(2); // ...while one take went to Redis in the background
      expect(failures).toHaveLength(1); // the outage is told once
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
