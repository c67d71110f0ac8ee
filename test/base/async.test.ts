import { describe, expect, it } from 'vitest';
import { Sleeper, withTimeout, yieldToEventLoop } from '../../src/base/async.js';
import { backoffDelayMs, exponentialDelayMs } from '../../src/base/backoff.js';

describe('withTimeout', () => {
  it('passes the value of a promise that settles in time', async () => {
    await expect(withTimeout(Promise.resolve(7), 1_000)).resolves.toBe(7);
  });

  it('rejects with the caller-built error when the promise never settles', async () => {
    const never = new Promise<number>(() => undefined);
    await expect(withTimeout(never, 1, () => new Error('venue x silent'))).rejects.toThrow('venue x silent');
    await expect(withTimeout(never, 1)).rejects.toThrow('no answer within 1 ms');
  });
});

describe('Sleeper', () => {
  it('wake() ends a long sleep at once', async () => {
    const sleeper = new Sleeper();
    const slept = sleeper.sleep(60_000);
    expect(sleeper.sleeping).toBe(true);
    sleeper.wake();
    await slept;
    expect(sleeper.sleeping).toBe(false);
  });
});

describe('back-off', () => {
  it('doubles from the base and stops at the cap', () => {
    expect([0, 1, 2, 3].map((a) => exponentialDelayMs(a, 50, 300))).toEqual([50, 100, 200, 300]);
    expect(exponentialDelayMs(10_000, 1, 5_000)).toBe(5_000);
  });

  it('jitters within [ceiling/2, ceiling)', () => {
    expect(backoffDelayMs(3, 250, 30_000, () => 0)).toBe(1_000);
    expect(backoffDelayMs(3, 250, 30_000, () => 0.999)).toBeCloseTo(1_999, 0);
  });
});

describe('yieldToEventLoop', () => {
  it('lets an already queued immediate run first', async () => {
    let ran = false;
    setImmediate(() => (ran = true));
    await yieldToEventLoop();
    expect(ran).toBe(true);
  });
});
