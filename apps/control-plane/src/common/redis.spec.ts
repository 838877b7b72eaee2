import { createHook } from 'node:async_hooks';
import { once } from 'node:events';
import Redis from 'ioredis';
import { freePort, startPrivateRedis } from '@medgenie/testing';
import type { ControlPlaneConfig } from '../config/control-plane.config';
import { RegistryEvents } from '../organizations/registry-events';
import { closeRedis, createOptionalRedis } from './redis';

interface TimerResource {
  _idleTimeout: number;
  _destroyed: boolean;
  hasRef(): boolean;
}

/** The ref'd timers longer than 100 ms that `work` started and left running: what would hold the process after it. */
async function timersLeftBy(work: () => Promise<void>): Promise<number[]> {
  const started = new Map<number, TimerResource>();
  const hook = createHook({
    init: (id, type, _trigger, resource) => {
      if (type === 'Timeout') started.set(id, resource as TimerResource);
    },
    destroy: (id) => started.delete(id),
  });
  hook.enable();
  try {
    await work();
  } finally {
    hook.disable();
  }
  return [...started.values()].filter((t) => !t._destroyed && t.hasRef() && t._idleTimeout > 100).map((t) => t._idleTimeout);
}

describe('the control plane Redis client', () => {
  it('closes without holding the process when Redis is down (ioredis waits 2 s for its socket to close by default)', async () => {
    const url = `redis://127.0.0.1:${await freePort()}`; // nothing listens there
    const ours = createOptionalRedis(url, 500);
    // ioredis' own wait (2 s by default; 300 ms here, so this test does not hold jest that long).
    const plain = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 1_000, disconnectTimeout: 300 });
    plain.on('error', () => undefined);
    await Promise.all([once(ours, 'error'), once(plain, 'error')]);

    expect(await timersLeftBy(() => closeRedis(ours))).toEqual([]);
    // The same close of a client that waits longer for the socket leaves that timer: the check above can fail.
    const left = await timersLeftBy(() => plain.quit().then(() => undefined, () => plain.disconnect(false)));
    expect(left).toEqual([300]);
    await new Promise((resolve) => setTimeout(resolve, 350));
  });

  it('closes nothing when there is no client', async () => {
    await expect(closeRedis(null)).resolves.toBeUndefined();
  });

  it('gives up on a Redis that hangs instead of holding the request that published (a signup, an org change)', async () => {
    const redis = await startPrivateRedis();
    const events = new RegistryEvents({ redisUrl: redis.url } as ControlPlaneConfig);
    const event = { type: 'organization.changed' as const, organizationId: 'org-1', slug: 'apollo', regionId: 'in', status: 'active' };
    try {
      const received: string[] = [];
      const subscriber = redis.client.duplicate();
      await subscriber.subscribe('medgenie:registry');
      subscriber.on('message', (_channel, message: string) => received.push(message));
      await events.publish(event);
      expect(await waitUntil(() => received.length === 1)).toBe(true); // published while Redis answers
      subscriber.disconnect();

      redis.freeze();
      // Without a command timeout the publish would wait as long as Redis hangs: here it has 5 s.
      const outcome = await Promise.race([events.publish(event).then(() => 'answered'), new Promise((resolve) => setTimeout(resolve, 5_000, 'still waiting'))]);
      expect(outcome).toBe('answered');
    } finally {
      redis.thaw();
      await events.onApplicationShutdown();
      await redis.stop();
    }
  });
});

async function waitUntil(predicate: () => boolean, ms = 3_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) if (predicate()) return true;
  return predicate();
}
