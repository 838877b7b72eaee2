import { KeyedSlots, Release, Slots } from './slots';

const acquired = async (got: Promise<Release | null> | Release) => (typeof got === 'function' ? got : await got);

describe('Slots', () => {
  it('grants up to its capacity at once, then makes callers wait for a release, in order', async () => {
    const slots = new Slots(2, 10_000, 10);
    const a = slots.tryAcquire()!;
    const b = await acquired(slots.acquire());
    expect(b).toBeInstanceOf(Function);
    expect(slots.tryAcquire()).toBeNull();
    const order: string[] = [];
    const c = (slots.acquire() as Promise<Release | null>).then((r) => (order.push('c'), r));
    const d = (slots.acquire() as Promise<Release | null>).then((r) => (order.push('d'), r));
    a();
    a(); // releasing twice gives back one slot only
    const releaseC = await c;
    expect(order).toEqual(['c']);
    expect(slots.inUse).toBe(2);
    b!();
    const releaseD = await d;
    expect(order).toEqual(['c', 'd']);
    releaseC!();
    releaseD!();
    expect(slots.inUse).toBe(0);
    expect(slots.idle).toBe(true);
  });

  it('gives up after its wait, and at once when the queue is full', async () => {
    const slots = new Slots(1, 30, 1);
    const held = slots.tryAcquire()!;
    const waiting = slots.acquire();
    expect(await acquired(slots.acquire())).toBeNull(); // queue full
    expect(await acquired(waiting)).toBeNull(); // waited 30 ms
    held();
    expect(slots.inUse).toBe(0);
    expect(typeof slots.tryAcquire()).toBe('function');
  });
});

describe('KeyedSlots', () => {
  it("caps each key on its own: one key's load never takes another's slots", async () => {
    const slots = new KeyedSlots(2, 20, 2);
    const a1 = await acquired(slots.acquire('a'));
    const a2 = await acquired(slots.acquire('a'));
    expect(await acquired(slots.acquire('a'))).toBeNull();
    const b1 = await acquired(slots.acquire('b'));
    expect(b1).toBeInstanceOf(Function);
    a1!();
    a2!();
    b1!();
    expect(slots.size).toBe(0); // idle keys are forgotten
  });
});
