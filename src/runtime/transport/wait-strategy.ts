/**
 * What a reading actor does when its inputs are empty (after the LMAX Disruptor's WaitStrategy).
 *
 * Measured on this 2-core VM: a spinning reader sees a record ~0.15 µs after it is written; a
 * parked one takes ~17-28 µs to wake through `waitAsync` or `postMessage`, ~6 µs through a
 * blocking `Atomics.wait` while wake-ups are frequent, and ~30 µs whatever the mechanism once
 * its vCPU has halted for long (the host stops polling a halted vCPU after a short window).
 * Spinning is only cheap when a core is free, so:
 *
 * - `busy-spin`: never park; yield to the event loop every `yieldIntervalUs` so control
 *   requests and timers still run. Lowest latency; burns a core. For benchmarks and for hosts
 *   with more cores than spinning actors.
 * - `spin-then-park` (default): spin for an adaptive budget, then park on the doorbell. The
 *   budget doubles when spinning caught a record and halves when it did not, between
 *   `spinMinUs` and `spinMaxUs`, so bursty traffic is caught by spinning and idle readers
 *   stop burning CPU. At most `SpinSlots` readers spin at once (default: cores − 1), the rest
 *   park at once: on 2 cores, more spinners than cores would steal the writer's core and make
 *   latency worse, not better.
 * - `park`: park at once. Lowest CPU; every record pays the wake-up.
 *
 * Where a park waits: an actor that owns I/O (sockets: the feeds, execution with ccxt's
 * connections; `ownsIo` on its graph entry) always parks through its event loop
 * (`Doorbell.park`, `waitAsync`), so a socket read, a timer or a control request runs the moment
 * it is due, never after a ring park ends. A pure compute actor that owns its thread and reads
 * only rings may block it (`Atomics.wait`, bounded by `blockingParkMs`) while it is busy, which
 * wakes faster: see BLOCKING_WINDOW_NS below.
 */
import { availableParallelism } from 'node:os';
import { threadId } from 'node:worker_threads';
import { monoNowNs } from '../../base/clock.js';
import type { Doorbell } from './doorbell.js';
import { yieldToEventLoop } from '../../base/async.js';

export const WAIT_STRATEGIES = ['busy-spin', 'spin-then-park', 'park'] as const;
export type WaitStrategyName = (typeof WAIT_STRATEGIES)[number];

export interface WaitOptions {
  strategy: WaitStrategyName;
  /** Lower bound of the adaptive spin budget. */
  spinMinUs: number;
  /** Upper bound of the adaptive spin budget. */
  spinMaxUs: number;
  /** busy-spin: how often to let the event loop run. */
  yieldIntervalUs: number;
  /** Longest park before re-checking (a safety net; wake-ups come from the doorbell). */
  parkTimeoutMs: number;
  /**
   * Longest blocking park (compute actors only) before the event loop runs once: timers of a
   * blocked compute actor are late by up to this much (control requests wake it at once).
   */
  blockingParkMs: number;
  /**
   * The actor owns I/O (sockets, anything served by its event loop): its parks never block the
   * thread. Set from the graph entry (`ownsIo`, implied by `credentials`), not a wait setting.
   */
  ownsIo: boolean;
}

export const DEFAULT_WAIT_OPTIONS: Readonly<WaitOptions> = Object.freeze({
  strategy: 'spin-then-park',
  spinMinUs: 2,
  spinMaxUs: 50,
  yieldIntervalUs: 1000,
  parkTimeoutMs: 500,
  blockingParkMs: 5,
  ownsIo: false,
});

/**
 * A process-wide cap on concurrently spinning readers, in shared memory. Each slot records its
 * holder, because a holder can die holding one: `Worker.terminate()` (and `process.exit` in a
 * worker) ends the thread without running the `finally` that releases it, and a slot leaked
 * that way is gone for good (on 2 cores the cap is 1, so one leak would turn every reader into
 * a parker). Whoever sees a thread exit gives its slots back (`releaseHeldBy`; ActorWorker does
 * it on every worker's exit).
 *
 *   Int32 index 0: the cap n     1..n: the holder of slot i (thread id + 1), 0 while free
 */
export class SpinSlots {
  private readonly cells: Int32Array;
  private readonly cap: number;
  private readonly holder: number;

  static create(maxSpinners = Math.max(1, availableParallelism() - 1)): SharedArrayBuffer {
    const buffer = new SharedArrayBuffer(4 * (1 + maxSpinners));
    new Int32Array(buffer)[0] = maxSpinners;
    return buffer;
  }

  /** Slots taken through this view are held by `holderThreadId` (default: this thread). */
  constructor(
    readonly buffer: SharedArrayBuffer,
    holderThreadId = threadId,
  ) {
    this.cells = new Int32Array(buffer);
    this.cap = Atomics.load(this.cells, 0);
    this.holder = holderOf(holderThreadId);
  }

  /** Takes a free slot: its number (give it to `release`), or 0 when all are taken. */
  tryAcquire(): number {
    for (let slot = 1; slot <= this.cap; slot++) {
      if (Atomics.load(this.cells, slot) === 0 && Atomics.compareExchange(this.cells, slot, 0, this.holder) === 0) return slot;
    }
    return 0;
  }

  release(slot: number): void {
    Atomics.compareExchange(this.cells, slot, this.holder, 0);
  }

  /** Frees every slot `deadThreadId` still holds (it exited holding them); returns how many. */
  releaseHeldBy(deadThreadId: number): number {
    const holder = holderOf(deadThreadId);
    let freed = 0;
    for (let slot = 1; slot <= this.cap; slot++) if (Atomics.compareExchange(this.cells, slot, holder, 0) === holder) freed++;
    return freed;
  }

  /** Slots held now. */
  spinning(): number {
    let held = 0;
    for (let slot = 1; slot <= this.cap; slot++) if (Atomics.load(this.cells, slot) !== 0) held++;
    return held;
  }
}

/** Thread ids start at 0 (the main thread); 0 in a slot means free. */
const holderOf = (id: number): number => id + 1;

/**
 * Blocking park, for a compute reader that owns its thread and reads only rings: `Atomics.wait`
 * wakes in ~6 µs here and costs ~3× less CPU than `waitAsync` (which adds a V8 task, a
 * libuv async handle and an event-loop turn). Measured on this VM, a wait armed with a short
 * timeout wakes slower (0.5 ms: ~28 µs round trip, 1 ms: ~19, ≥ 5 ms: ~11), so each blocking
 * park waits up to `blockingParkMs` and, when it ends without a record, lets the event loop
 * run once (timers are late by at most that much while blocking; control requests ring the
 * doorbell). A reader that has seen nothing for BLOCKING_WINDOW_NS parks with `waitAsync`
 * instead, so an idle actor keeps a free event loop and costs nothing. An I/O actor never
 * blocks: its sockets are served by the event loop a blocking park would stop.
 */
const BLOCKING_WINDOW_NS = 100e6;

/** One reader's wait behaviour. `hasData` must be cheap (atomic loads only). */
export class Waiter {
  private budgetNs: number;
  private lastYieldNs = monoNowNs();
  private lastBusyNs = 0;
  /**
   * Set by the owner when this reader has its thread to itself, every input is a ring and it
   * does not own I/O (`WaitOptions.ownsIo`): only then may parking block the thread (a port's
   * records and a socket's data arrive through the event loop).
   */
  blockingAllowed = false;
  /** Counters for status and tuning. */
  spinHits = 0;
  spinMisses = 0;
  parks = 0;

  constructor(
    private readonly options: WaitOptions,
    private readonly doorbell: Doorbell,
    private readonly slots: SpinSlots,
    private readonly hasData: () => boolean,
  ) {
    this.budgetNs = options.spinMinUs * 1e3;
  }

  /**
   * Called when the inputs were found empty. Returns undefined when data is available now
   * (found by spinning), otherwise a promise that settles when the caller should poll again.
   */
  idle(): Promise<unknown> | undefined {
    switch (this.options.strategy) {
      case 'busy-spin':
        return this.busySpin();
      case 'spin-then-park':
        return this.spinThenPark();
      case 'park':
        return this.park();
    }
  }

  private spinThenPark(): Promise<unknown> | undefined {
    const slot = this.slots.tryAcquire();
    if (slot !== 0) {
      let caught: boolean;
      try {
        caught = this.spin(this.budgetNs);
      } finally {
        // Not run if the thread is terminated mid-spin: see SpinSlots.releaseHeldBy.
        this.slots.release(slot);
      }
      this.adapt(caught);
      if (caught) return undefined;
    }
    return this.park();
  }

  /** Called after a burst of work so a busy actor still serves control requests and timers. */
  maybeYield(): Promise<void> | undefined {
    const now = monoNowNs();
    this.lastBusyNs = now;
    if (now - this.lastYieldNs < this.options.yieldIntervalUs * 1e3) return undefined;
    this.lastYieldNs = now;
    return yieldToEventLoop();
  }

  currentSpinBudgetUs(): number {
    return this.budgetNs / 1e3;
  }

  private busySpin(): Promise<void> | undefined {
    const remaining = this.options.yieldIntervalUs * 1e3 - (monoNowNs() - this.lastYieldNs);
    if (remaining > 0 && this.spin(remaining)) return undefined;
    this.lastYieldNs = monoNowNs();
    return yieldToEventLoop();
  }

  private park(): Promise<unknown> | undefined {
    this.parks++;
    if (!this.blockingAllowed || this.options.ownsIo || monoNowNs() - this.lastBusyNs >= BLOCKING_WINDOW_NS) {
      this.lastYieldNs = monoNowNs();
      return this.doorbell.park(this.hasData, this.options.parkTimeoutMs);
    }
    this.doorbell.parkBlocking(this.hasData, this.options.blockingParkMs);
    if (this.hasData()) return undefined;
    // Nothing came within the wait: let control requests and timers run before blocking again.
    this.lastYieldNs = monoNowNs();
    return yieldToEventLoop();
  }

  /** Polls `hasData` for up to `budgetNs`; reads the clock only every 64 polls. */
  private spin(budgetNs: number): boolean {
    const deadline = monoNowNs() + budgetNs;
    for (let i = 1; ; i++) {
      if (this.hasData()) return true;
      if ((i & 63) === 0 && monoNowNs() >= deadline) return false;
    }
  }

  private adapt(caught: boolean): void {
    const { spinMinUs, spinMaxUs } = this.options;
    if (caught) {
      this.spinHits++;
      this.budgetNs = Math.min(spinMaxUs * 1e3, this.budgetNs * 2);
    } else {
      this.spinMisses++;
      this.budgetNs = Math.max(spinMinUs * 1e3, this.budgetNs / 2);
    }
  }
}
