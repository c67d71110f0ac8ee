import { describe, expect, it } from 'vitest';
import { LegBarrier } from '../../src/execution/send-timing.js';

/** Lets pending promise callbacks run (no timers involved). */
const microtasks = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('the legs barrier', () => {
  it('holds every arrived leg until the last leg has arrived or withdrawn', async () => {
    const barrier = new LegBarrier(3);
    const released: string[] = [];
    void barrier.arrive().then(() => released.push('a'));
    void barrier.arrive().then(() => released.push('b'));
    await microtasks();
    expect(released).toEqual([]); // the third leg has not signed its request yet
    barrier.withdraw(); // … and it never will (it failed before its request existed)
    await microtasks();
    expect(released).toEqual(['a', 'b']);
  });

  it('lets a leg through at once when it is the last one', async () => {
    const barrier = new LegBarrier(1);
    let released = false;
    void barrier.arrive().then(() => (released = true));
    await microtasks();
    expect(released).toBe(true);
  });
});
