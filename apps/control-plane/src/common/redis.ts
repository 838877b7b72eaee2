import Redis from 'ioredis';

/**
 * A Redis client for the control plane's optional uses of Redis (rate limits, registry events,
 * ended sessions, gateway views): never stalls a request (no offline queue, one retry, a 1 s
 * connect timeout, and every command given up after `commandTimeoutMs`, so a Redis that hangs
 * costs a request that long at most, never the client's whole wait); reconnects by itself; its
 * errors are the callers' to report (each falls back without Redis).
 */
export function createOptionalRedis(url: string, commandTimeoutMs = 1_000): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 1_000,
    commandTimeout: commandTimeoutMs,
    // closeRedis only disconnects a connection that did not take QUIT: Redis is down or the
    // socket is gone, and ioredis' default (a 2 s timer waiting for the socket to close) would
    // hold the process that long at shutdown.
    disconnectTimeout: 100,
  });
  redis.on('error', () => undefined);
  return redis;
}

/** Says goodbye to Redis (QUIT), or drops the connection when Redis does not answer. */
export async function closeRedis(redis: Redis | null): Promise<void> {
  if (!redis) return;
  await redis.quit().catch(() => redis.disconnect(false));
}
