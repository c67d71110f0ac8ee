import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createDoorbell, Doorbell } from '../../src/runtime/transport/doorbell.js';
import { DEFAULT_WAIT_OPTIONS, SpinSlots, Waiter, type WaitOptions } from '../../src/runtime/transport/wait-strategy.js';

/** A waiter whose "input" is one flag cell, as if a ring had data when the flag is 1. */
function flagWaiter(blockingAllowed: boolean, options: Partial<WaitOptions> = {}) {
  const bell = createDoorbell();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const waiter = new Waiter({ ...DEFAULT_WAIT_OPTIONS, strategy: 'park', ...options }, new Doorbell(bell), new SpinSlots(SpinSlots.create(1)), () => Atomics.load(flag, 0) === 1);
  waiter.blockingAllowed = blockingAllowed;
  return { bell, flag, waiter };
}

/** Another thread publishes (sets the flag) after a short pause, then rings the doorbell. */
function publishLater(bell: SharedArrayBuffer, flag: Int32Array): Worker {
  const code = `
    const { workerData } = require('node:worker_threads');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    const flag = new Int32Array(workerData.flag);
    const cells = new Int32Array(workerData.bell);
    Atomics.store(flag, 0, 1);
    Atomics.add(cells, 0, 1);
    Atomics.notify(cells, 0);`;
  return new Worker(code, { eval: true, workerData: { bell, flag: flag.buffer } });
}

describe('waiter: blocking park', () => {
  it('a reader that owns its thread blocks until a writer on another thread rings, then finds the record', async () => {
    const { bell, flag, waiter } = flagWaiter(true);
    // Recent activity: the reader is in its blocking window.
    await waiter.maybeYield();
    const writer = publishLater(bell, flag);
    // A blocking park returns once the record is there (or yields after its bounded wait).
    for (let i = 0; i < 1000 && Atomics.load(flag, 0) === 0; i++) {
      const wait = waiter.idle();
      if (wait) await wait;
    }
    expect(Atomics.load(flag, 0)).toBe(1);
    expect(waiter.idle()).toBeUndefined();
    await new Promise((resolve) => writer.once('exit', resolve));
  });

  it('an idle blocking reader still lets the event loop run (timers, control requests)', async () => {
    const { waiter } = flagWaiter(true);
    await waiter.maybeYield();
    let timerRan = false;
    setTimeout(() => (timerRan = true), 0);
    for (let i = 0; i < 100 && !timerRan; i++) await waiter.idle();
    expect(timerRan).toBe(true);
  });

  it('without blockingAllowed (ports, in-process harness) it parks asynchronously and a wake settles it', async () => {
    const { bell, waiter } = flagWaiter(false);
    await waiter.maybeYield();
    const wait = waiter.idle();
    expect(wait).toBeInstanceOf(Promise);
    new Doorbell(bell).wake();
    await wait;
  });
});

/** Settles with true once `wait` has settled, false if `event` comes first. */
async function settledBefore(wait: Promise<unknown>, event: Promise<void>): Promise<boolean> {
  return Promise.race([wait.then(() => true), event.then(() => false)]);
}

const timer = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** The park leaves the event loop free (a timer fires first), and a record from another thread ends it. */
async function parkedUntilWoken(wait: Promise<unknown> | undefined, bell: SharedArrayBuffer, flag: Int32Array): Promise<void> {
  expect(wait).toBeInstanceOf(Promise);
  expect(await settledBefore(wait!, timer())).toBe(false);
  const writer = publishLater(bell, flag);
  const exited = new Promise((resolve) => writer.once('exit', resolve));
  await wait;
  expect(Atomics.load(flag, 0)).toBe(1);
  await exited;
}

describe('waiter: an actor that owns I/O', () => {
  it('never blocks its thread, even in its busy window with a blocking park longer than the test timeout: a timer runs while it waits, a ring wakes it', async () => {
    // blockingAllowed as for a worker reading only rings; under a blocking park idle() would not return within the test timeout.
    const { bell, flag, waiter } = flagWaiter(true, { ownsIo: true, blockingParkMs: 120_000, parkTimeoutMs: 120_000 });
    await waiter.maybeYield();
    await parkedUntilWoken(waiter.idle(), bell, flag);
  });

  it('parks through the event loop on a runtime without Atomics.waitAsync (timer polls), and a ring still wakes it', async () => {
    const atomics = Atomics as unknown as { waitAsync?: unknown };
    const waitAsync = atomics.waitAsync;
    delete atomics.waitAsync;
    try {
      const { bell, flag, waiter } = flagWaiter(true, { ownsIo: true, parkTimeoutMs: 120_000 });
      await parkedUntilWoken(waiter.idle(), bell, flag);
    } finally {
      atomics.waitAsync = waitAsync;
    }
  });
});
