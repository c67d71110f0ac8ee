/**
 * The timing of one order command on its way to the wire, and the barrier that lets a multi-leg
 * command's legs leave together.
 *
 * `CommandTiming` is created when execution takes the command; its orders share it. The venue
 * adapter fills each order's `SendTiming` (`builtNs`: request built and signed, `wroteNs`: handed
 * to the socket); `OrderIo` records the stages once the request completes.
 *
 * `LegBarrier`: each immediate leg's adapter builds and signs its request, then waits at the
 * barrier until every leg has either arrived or dropped out (failed before it had a request), so
 * no leg's write waits for another leg's synchronous ccxt work and the writes go out back to
 * back. A timeout opens it regardless: a barrier must never hold an order back for long.
 */
import type { DecisionPath } from '../protocol/index.js';

/** Longest a leg waits for the others at the barrier. */
const BARRIER_TIMEOUT_MS = 50;

export class LegBarrier {
  private settled = 0;
  private open = false;
  private release: () => void = () => undefined;
  private readonly opened: Promise<void>;
  private readonly timer: ReturnType<typeof setTimeout>;

  constructor(private readonly legs: number) {
    this.opened = new Promise<void>((resolve) => (this.release = resolve));
    this.timer = setTimeout(() => this.openNow(), BARRIER_TIMEOUT_MS);
    this.timer.unref?.();
  }

  /** A leg whose request is built and signed: resolves when every leg is ready (or on timeout). */
  arrive(): Promise<void> {
    this.count();
    return this.opened;
  }

  /** A leg that will not arrive (it failed before its request existed). */
  withdraw(): void {
    this.count();
  }

  private count(): void {
    if (++this.settled >= this.legs) this.openNow();
  }

  private openNow(): void {
    if (this.open) return;
    this.open = true;
    clearTimeout(this.timer);
    this.release();
  }
}

/** What the venue adapter stamps for one request (monotonic ns; 0 when the adapter has no socket). */
export interface SendTiming {
  builtNs: number;
  wroteNs: number;
  /** Set for a leg that leaves together with the other legs of its command. */
  readonly barrier: LegBarrier | null;
  /** True once this request took part in the barrier (arrived or withdrew). */
  barrierDone: boolean;
}

export class CommandTiming {
  /** Orders of the command sent with this timing, and those whose request has not completed yet (for leg_spread). */
  legs = 0;
  legsOut = 0;
  /** When the command's journal transaction committed. */
  journalDoneNs = 0;
  firstWriteNs = 0;
  lastWriteNs = 0;

  constructor(
    readonly path: DecisionPath,
    /** The intent's ingress `ts`. */
    readonly ts: number,
    readonly barrier: LegBarrier | null,
  ) {}

  /** A fresh SendTiming for one of its requests. */
  sendTiming(): SendTiming {
    return { builtNs: 0, wroteNs: 0, barrier: this.barrier, barrierDone: false };
  }
}
