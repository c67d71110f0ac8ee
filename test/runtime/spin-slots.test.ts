/**
 * Spin slots survive their holders: a thread that dies while spinning (terminated, or exiting
 * mid-spin) never runs the `finally` that releases its slot, so the slot must be given back
 * when the thread exits, or the process-wide cap (1 on 2 cores) silently turns every reader
 * into a parker from then on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualTimers } from '../../src/runtime/actor/timers.js';
import { parseGraphConfig } from '../../src/runtime/graph/graph-config.js';
import { buildWiring } from '../../src/runtime/graph/wiring.js';
import { ActorWorker } from '../../src/runtime/supervision/actor-worker.js';
import { Supervisor } from '../../src/runtime/supervision/supervisor.js';
import { publicEnv } from '../../src/base/public-env.js';
import { DEFAULT_WAIT_OPTIONS, SpinSlots } from '../../src/runtime/transport/wait-strategy.js';
import { CRASH, SPIN, STOP_SPINNING } from '../fixtures/actors/spin-holder.js';
import { eventually } from '../helpers/workers.js';

const SPIN_HOLDER = 'test/fixtures/actors/spin-holder.ts';
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('spin slots', () => {
  it('caps the holders, and frees a slot on release or when its holder is declared dead, only that holder’s', () => {
    const buffer = SpinSlots.create(2);
    const [a, b, c] = [new SpinSlots(buffer, 10), new SpinSlots(buffer, 11), new SpinSlots(buffer, 12)];
    const slotA = a.tryAcquire();
    const slotB = b.tryAcquire();
    expect([slotA, slotB].sort()).toEqual([1, 2]);
    expect(c.tryAcquire()).toBe(0);
    expect(c.spinning()).toBe(2);
    // Only the holder's own release frees its slot.
    c.release(slotA);
    expect(c.tryAcquire()).toBe(0);
    a.release(slotA);
    const slotC = c.tryAcquire();
    expect(slotC).toBe(slotA);
    // b dies holding its slot: reclaiming thread 11 frees exactly that one.
    expect(a.releaseHeldBy(11)).toBe(1);
    expect(a.releaseHeldBy(11)).toBe(0);
    expect(c.spinning()).toBe(1);
    expect(a.tryAcquire()).toBe(slotB);
  });

  it('gives back the slot of an actor worker terminated mid-spin', async () => {
    const graph = parseGraphConfig({ actors: [{ id: 'spinner', module: SPIN_HOLDER }] });
    const spinSlots = SpinSlots.create(1);
    const control = new Int32Array(new SharedArrayBuffer(4));
    const worker = ActorWorker.spawn(
      'spinner',
      {
        actorId: 'spinner',
        modulePath: SPIN_HOLDER,
        params: { control: control.buffer },
        wiring: buildWiring(graph).actors.get('spinner')!,
        spinSlots,
        wait: DEFAULT_WAIT_OPTIONS,
        credentialed: false,
        env: publicEnv(),
      },
      15_000,
    );
    cleanups.push(() => worker.terminate());
    await worker.load();
    await worker.call('start', (c) => c.start());
    const slots = new SpinSlots(spinSlots);
    await eventually(() => (slots.spinning() === 1 ? true : undefined), 'the worker to take the only slot');
    expect(slots.tryAcquire()).toBe(0);

    await worker.terminate();
    expect(slots.spinning()).toBe(0);
    const slot = slots.tryAcquire();
    expect(slot).toBe(1);
    slots.release(slot);
  });

  it('gives back the slot of an actor that dies mid-spin, so its restarted incarnation spins again', async () => {
    const control = new Int32Array(new SharedArrayBuffer(4));
    const timers = new VirtualTimers(0);
    const graph = parseGraphConfig({ actors: [{ id: 'spinner', module: SPIN_HOLDER, params: { control: control.buffer }, restart: { initialBackoffMs: 1_000 } }] });
    const sup = await Supervisor.start(graph, { maxSpinners: 1, timers });
    cleanups.push(() => sup.stop());
    // A spinning worker answers no control call: let it stop spinning before shutdown.
    cleanups.push(async () => Atomics.store(control, 0, STOP_SPINNING));
    const slots = new SpinSlots(sup.managed('spinner').spec.spinSlots);
    await eventually(() => (slots.spinning() === 1 ? true : undefined), 'the first incarnation to take the only slot');
    const firstThread = sup.managed('spinner').worker!.threadId;

    Atomics.store(control, 0, CRASH);
    const crashed = await sup.events.waitFor('actor-crashed', (e) => e.actorId === 'spinner');
    expect(crashed.exitCode).toBe(3);
    // Its back-off is on virtual time, so nothing has taken the slot since: it is free.
    expect(slots.spinning()).toBe(0);

    Atomics.store(control, 0, SPIN);
    expect(timers.fireNext(1_000)).toBe(true);
    await sup.events.waitFor('actor-restarted', (e) => e.actorId === 'spinner');
    expect(sup.managed('spinner').worker!.threadId).not.toBe(firstThread);
    await eventually(() => (slots.spinning() === 1 ? true : undefined), 'the restarted incarnation to spin in the slot');
  });
});
