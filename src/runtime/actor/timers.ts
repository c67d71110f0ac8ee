/**
 * Timers behind one interface, so time can be driven from outside.
 *
 * Live actors use `realTimers` (setInterval / setTimeout). Replay uses `VirtualTimers`: nothing
 * fires on its own; the driver moves virtual time forward with `fireDue(untilMs)`, which fires
 * every timer due by then in (due time, creation order) order, one at a time, so the driver can
 * let the graph settle between firings. Together with `VirtualClock` this makes an actor's
 * behaviour a function of its inputs alone: the same recording gives the same orders.
 */
import type { Clock } from '../../base/clock.js';

/** An opaque handle from `every`/`after`. */
export type TimerHandle = { readonly id: number };

export interface TimerScheduler {
  /** Calls `fire` every `intervalMs` until cancelled. */
  every(intervalMs: number, fire: () => void): TimerHandle;
  /** Calls `fire` once, `delayMs` from now. */
  after(delayMs: number, fire: () => void): TimerHandle;
  cancel(handle: TimerHandle): void;
}

class RealTimers implements TimerScheduler {
  private nextId = 1;
  private readonly handles = new Map<number, NodeJS.Timeout>();

  every(intervalMs: number, fire: () => void): TimerHandle {
    const id = this.nextId++;
    this.handles.set(id, setInterval(fire, intervalMs));
    return { id };
  }

  after(delayMs: number, fire: () => void): TimerHandle {
    const id = this.nextId++;
    this.handles.set(
      id,
      setTimeout(() => {
        this.handles.delete(id);
        fire();
      }, delayMs),
    );
    return { id };
  }

  cancel(handle: TimerHandle): void {
    const timeout = this.handles.get(handle.id);
    if (timeout === undefined) return;
    clearTimeout(timeout);
    this.handles.delete(handle.id);
  }
}

/** The process's timers (one instance per thread is enough: handles are per scheduler). */
export const realTimers: TimerScheduler = new RealTimers();

interface VirtualTimer {
  readonly id: number;
  dueMs: number;
  readonly intervalMs: number | undefined;
  readonly fire: () => void;
}

/** Timers on a virtual time line that only `fireDue` moves. */
export class VirtualTimers implements TimerScheduler {
  private nextId = 1;
  private readonly timers = new Map<number, VirtualTimer>();

  constructor(private currentMs: number) {}

  get nowMs(): number {
    return this.currentMs;
  }

  every(intervalMs: number, fire: () => void): TimerHandle {
    return this.add(intervalMs, intervalMs, fire);
  }

  after(delayMs: number, fire: () => void): TimerHandle {
    return this.add(Math.max(0, delayMs), undefined, fire);
  }

  cancel(handle: TimerHandle): void {
    this.timers.delete(handle.id);
  }

  /** The earliest due time, or undefined when no timer is set. */
  nextDueMs(): number | undefined {
    let next: number | undefined;
    for (const timer of this.timers.values()) if (next === undefined || timer.dueMs < next) next = timer.dueMs;
    return next;
  }

  /**
   * Fires the earliest timer due at or before `untilMs` (advancing time to its due time) and
   * returns true; or, when none is due, moves time to `untilMs` and returns false. Call it until
   * it returns false, letting the graph settle after each firing.
   */
  fireNext(untilMs: number): boolean {
    let earliest: VirtualTimer | undefined;
    // Map iteration is creation order, so equal due times fire in the order they were set.
    for (const timer of this.timers.values()) if (timer.dueMs <= untilMs && (earliest === undefined || timer.dueMs < earliest.dueMs)) earliest = timer;
    if (earliest === undefined) {
      if (untilMs > this.currentMs) this.currentMs = untilMs;
      return false;
    }
    if (earliest.dueMs > this.currentMs) this.currentMs = earliest.dueMs;
    if (earliest.intervalMs === undefined) this.timers.delete(earliest.id);
    else earliest.dueMs += earliest.intervalMs;
    earliest.fire();
    return true;
  }

  private add(delayMs: number, intervalMs: number | undefined, fire: () => void): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { id, dueMs: this.currentMs + delayMs, intervalMs, fire });
    return { id };
  }
}

/**
 * A clock that reads a `VirtualTimers` time line: wall time is the virtual time; monotonic time
 * is the same instant in nanoseconds since the time line's start (plus a fixed offset, like a
 * host's uptime), so ages computed either way agree. Epoch milliseconds in nanoseconds would
 * pass 2^53 and lose precision; elapsed time does not.
 */
export class VirtualClock implements Clock {
  private readonly originMs: number;

  constructor(private readonly timers: VirtualTimers) {
    this.originMs = timers.nowMs;
  }

  wallMs(): number {
    return this.timers.nowMs;
  }

  monoNs(): number {
    return (this.timers.nowMs - this.originMs) * 1e6 + 1e12;
  }
}
