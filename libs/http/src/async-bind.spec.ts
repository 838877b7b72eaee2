import { AsyncLocalStorage, AsyncResource, executionAsyncId } from 'node:async_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { installLeanAsyncBind, leanAsyncBindInstalled, restoreNodeAsyncBind } from './async-bind';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as (options?: { type: 'major' | 'minor' }) => void;

const space = (name: string) => getHeapSpaceStatistics().find((s) => s.space_name === name)!;
const PAYLOAD_BYTES = 128 * 8; // new Array(128).fill(i): 128 small integers

/**
 * Binds as many functions as fit in the young generation without a collection, each closing over
 * ~1 KB, calls each once and drops it; then two scavenges. Returns how many were bound and how
 * much the old generation grew: what the scavenges kept (promoted) of garbage.
 */
function retainedByBinding(): { count: number; grew: number } {
  gc({ type: 'major' });
  gc({ type: 'minor' }); // the young generation empty
  const count = Math.min(10_000, Math.floor(space('new_space').space_available_size / (4 * PAYLOAD_BYTES)));
  const before = space('old_space').space_used_size;
  let sum = 0;
  for (let i = 0; i < count; i += 1) {
    const payload = new Array<number>(128).fill(i);
    sum += AsyncResource.bind(() => payload.length)();
  }
  gc({ type: 'minor' });
  gc({ type: 'minor' });
  expect(sum).toBe(128 * count);
  return { count, grew: space('old_space').space_used_size - before };
}

describe('installLeanAsyncBind', () => {
  // A suite that ran before in this Jest worker may have built an app, which installs it.
  const installedBefore = leanAsyncBindInstalled();
  beforeEach(() => restoreNodeAsyncBind());
  afterAll(() => (installedBefore ? installLeanAsyncBind() : restoreNodeAsyncBind()));

  it('runs the bound function in the async context it was bound in, as Node does', () => {
    installLeanAsyncBind();
    expect(leanAsyncBindInstalled()).toBe(true);
    const als = new AsyncLocalStorage<string>();
    const seen: (string | undefined)[] = [];
    const bound = als.run('request-1', () => AsyncResource.bind(() => seen.push(als.getStore())));
    const resource = als.run('request-2', () => new AsyncResource('test'));
    const boundToResource = resource.bind(() => {
      seen.push(als.getStore());
      return executionAsyncId();
    });
    als.run('elsewhere', () => {
      bound();
      expect(boundToResource()).toBe(resource.asyncId());
    });
    expect(seen).toEqual(['request-1', 'request-2']);
  });

  it("keeps the caller's this (or thisArg), the arguments, the result, exceptions and the length", () => {
    installLeanAsyncBind();
    function describeCall(this: unknown, a: number, b: number) {
      return { self: this, sum: a + b };
    }
    const bound = AsyncResource.bind(describeCall);
    const holder = { bound };
    expect(holder.bound(1, 2)).toEqual({ self: holder, sum: 3 });
    expect(bound.length).toBe(2);
    const fixed = { name: 'fixed' };
    expect(AsyncResource.bind(describeCall, 'typed', fixed).call(holder, 3, 4)).toEqual({ self: fixed, sum: 7 });
    const failing = AsyncResource.bind(() => {
      throw new Error('boom');
    });
    expect(() => failing()).toThrow('boom');
    expect(() => new AsyncResource('test').bind('not a function' as unknown as () => void)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
    expect(Object.keys(bound)).toEqual([]); // no deprecated asyncResource accessor
  });

  it('is undone by restoreNodeAsyncBind, and installing twice is the same as once', () => {
    installLeanAsyncBind();
    installLeanAsyncBind();
    expect(leanAsyncBindInstalled()).toBe(true);
    restoreNodeAsyncBind();
    expect(leanAsyncBindInstalled()).toBe(false);
    expect(Object.keys(AsyncResource.bind(() => 1))).toEqual(['asyncResource']);
  });

  it("lets young-generation collections free what a bound function closes over, which Node's accessor keeps alive", () => {
    const withNodeBind = retainedByBinding();
    installLeanAsyncBind();
    const lean = retainedByBinding();
    expect(withNodeBind.count).toBeGreaterThan(500);
    expect(lean.count).toBeGreaterThan(500);
    // Node 20 keeps every bound function's payload (and more); if this no longer holds, Node no
    // longer needs the workaround (see async-bind.ts).
    expect(withNodeBind.grew).toBeGreaterThan(withNodeBind.count * PAYLOAD_BYTES);
    expect(lean.grew).toBeLessThan(lean.count * 64);
  });
});
