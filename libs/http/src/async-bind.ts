import { AsyncResource } from 'node:async_hooks';

type Bind = (this: AsyncResource, fn: (...args: unknown[]) => unknown, thisArg?: unknown) => (...args: unknown[]) => unknown;

/** Process-wide marks (one per process, whichever copy of this module installed it, as under Jest). */
const NODE_BIND = Symbol.for('medgenie.async-bind.node');
const LEAN = Symbol.for('medgenie.async-bind.lean');

type Marked = Bind & { [LEAN]?: true };
const holder = AsyncResource as unknown as { [NODE_BIND]?: Bind };

const isLean = (bind: unknown) => (bind as Marked)[LEAN] === true;

/** Node's own `AsyncResource#bind`, kept aside by the first install. */
function nodeBind(): Bind {
  return holder[NODE_BIND] ?? (AsyncResource.prototype.bind as Bind);
}

/**
 * `AsyncResource#bind` as Node 20 does it (run `fn` in the resource's async context, with the
 * caller's `this` unless `thisArg` is given; the same `length`), without the `asyncResource`
 * accessor that Node adds to every bound function. That accessor is deprecated (DEP0172) and
 * costly: `util.deprecate` makes each new getter the prototype of its wrapper, and V8 keeps such
 * a prototype alive through every young-generation collection (a scavenge) until the next full
 * one, together with what its closure holds: the bound function, its resource and everything the
 * function closes over, for NestJS a request with its context.
 *
 * NestJS binds one function per interceptor for every request (`InterceptorsConsumer`). Under a
 * steady load, 4.5 MB of the regional API's young generation (64 MiB) was promoted at every
 * scavenge and each scavenge stopped the API for 23 ms on average; without the accessor, 1.0 MB
 * and 10 ms (bench/README.md, run S).
 */
function bindWithoutAccessor(this: AsyncResource, fn: (...args: unknown[]) => unknown, thisArg?: unknown): (...args: unknown[]) => unknown {
  if (typeof fn !== 'function') return nodeBind().call(this, fn, thisArg); // Node's own TypeError
  const bound = runIn(this, fn, thisArg);
  Object.defineProperty(bound, 'length', { configurable: true, enumerable: false, writable: false, value: fn.length });
  return bound;
}

function runIn(resource: AsyncResource, fn: (...args: unknown[]) => unknown, thisArg: unknown): (...args: unknown[]) => unknown {
  if (thisArg !== undefined) return (...args: unknown[]) => resource.runInAsyncScope(fn, thisArg, ...args);
  return function (this: unknown, ...args: unknown[]) {
    return resource.runInAsyncScope(fn, this, ...args);
  };
}

/**
 * Makes `AsyncResource#bind` and the static `AsyncResource.bind` (which calls it) leave out the
 * deprecated accessor, for the whole process: call it before a NestJS application is created.
 * Idempotent. `restoreNodeAsyncBind` undoes it (tests).
 */
export function installLeanAsyncBind(): void {
  if (isLean(AsyncResource.prototype.bind)) return;
  holder[NODE_BIND] = AsyncResource.prototype.bind as Bind;
  const lean = bindWithoutAccessor as Marked;
  lean[LEAN] = true;
  AsyncResource.prototype.bind = lean as typeof AsyncResource.prototype.bind;
}

export function restoreNodeAsyncBind(): void {
  AsyncResource.prototype.bind = nodeBind() as typeof AsyncResource.prototype.bind;
}

/** Whether `installLeanAsyncBind` is in effect. */
export function leanAsyncBindInstalled(): boolean {
  return isLean(AsyncResource.prototype.bind);
}
