/**
 * Doorbell: how writers wake a reader that has parked. One per reading actor, shared by every
 * channel that feeds it, so an actor with several inputs waits on a single word.
 *
 *   Int32 index   0        1          2           3 … 31
 *                ┌────────┬──────────┬───────────┬───────────┐
 *                │ SEQ    │ PARKED   │ ATTENTION │ (pad to a │
 *                │        │          │           │ 128 B line│
 *                └────────┴──────────┴───────────┴───────────┘
 *
 * ATTENTION is raised by the supervisor when it sends a control request: a busy reader checks
 * it after each batch and yields to its event loop at once instead of at its next periodic
 * yield (up to a millisecond later), which keeps a hot reload's pause short.
 *
 * Protocol (all operations are sequentially consistent Atomics):
 *   reader:  PARKED = 1; s = SEQ; if (any input has data) { PARKED = 0; run }
 *            else waitAsync(SEQ, s); PARKED = 0
 *   writer:  publish the record (store WRITE cursor);
 *            if (PARKED && exchange(PARKED, 0) == 1) { SEQ += 1; notify(SEQ) }
 * If the writer reads PARKED == 0, its cursor store preceded the reader's `PARKED = 1` in the
 * single total order (or another writer already claimed this wake-up), so the reader's re-check
 * sees the record or the reader is being woken. If it swaps out a 1, it bumps SEQ: either
 * before the reader loaded `s` (the re-check sees the record, published earlier) or after
 * (the wait returns at once, or notify wakes it). No wake-up is lost; a writer pays one atomic
 * load per record while the reader runs, and one notify per park, not one per record written
 * while the reader wakes up.
 */

const SEQ = 0;
const PARKED = 1;
const ATTENTION = 2;
const DOORBELL_BYTES = 128;

type WaitAsyncResult = { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<'ok' | 'timed-out'> };
type AtomicsWithWaitAsync = typeof Atomics & {
  waitAsync?(array: Int32Array, index: number, value: number, timeoutMs?: number): WaitAsyncResult;
};
const atomics = Atomics as AtomicsWithWaitAsync;

/**
 * Node 20, 22 and 24 all have `Atomics.waitAsync` (whether a pending one keeps the event loop
 * alive differs between versions, so the actor host holds a timer of its own). A runtime
 * without it still gets an event-loop park: FALLBACK_POLL_MS timer polls of SEQ, slower to
 * wake but never blocking.
 */
const FALLBACK_POLL_MS = 1;

function waitAsyncOrPoll(cells: Int32Array, seq: number, timeoutMs: number): WaitAsyncResult {
  if (typeof atomics.waitAsync === 'function') return atomics.waitAsync(cells, SEQ, seq, timeoutMs);
  if (Atomics.load(cells, SEQ) !== seq) return { async: false, value: 'not-equal' };
  const deadline = Date.now() + timeoutMs;
  const value = new Promise<'ok' | 'timed-out'>((resolve) => {
    const poll = (): void => {
      if (Atomics.load(cells, SEQ) !== seq) resolve('ok');
      else if (Date.now() >= deadline) resolve('timed-out');
      else setTimeout(poll, FALLBACK_POLL_MS);
    };
    setTimeout(poll, FALLBACK_POLL_MS);
  });
  return { async: true, value };
}

export function createDoorbell(): SharedArrayBuffer {
  return new SharedArrayBuffer(DOORBELL_BYTES);
}

export class Doorbell {
  private readonly cells: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.cells = new Int32Array(buffer, 0, DOORBELL_BYTES >> 2);
  }

  /** Writer side: wake the reader if it is parked. Call after publishing a record. */
  ring(): void {
    // Only the writer that flips PARKED 1 → 0 notifies: a woken reader needs µs to run and
    // clear PARKED itself, and every record written meanwhile used to pay a futex wake.
    if (Atomics.load(this.cells, PARKED) !== 0 && Atomics.exchange(this.cells, PARKED, 0) !== 0) {
      Atomics.add(this.cells, SEQ, 1);
      Atomics.notify(this.cells, SEQ);
    }
  }

  /** Control side: ask the reader to let its event loop run now, then wake it if it is parked. */
  requestAttention(): void {
    Atomics.store(this.cells, ATTENTION, 1);
    this.wake();
  }

  /** Reader side: true (once) when attention was requested since the last call. */
  takeAttention(): boolean {
    return Atomics.load(this.cells, ATTENTION) !== 0 && Atomics.exchange(this.cells, ATTENTION, 0) !== 0;
  }

  /** Wake the reader unconditionally (control requests, shutdown). */
  wake(): void {
    Atomics.add(this.cells, SEQ, 1);
    Atomics.notify(this.cells, SEQ);
  }

  /**
   * Reader side: park until a writer rings, `wake()` is called, or `timeoutMs` passes.
   * `hasData` is the re-check that closes the race described above. The event loop stays
   * free while parked (waitAsync, or timer polls where it is missing), so control messages,
   * timers and sockets keep running: the only park an I/O-owning actor may use.
   */
  park(hasData: () => boolean, timeoutMs: number): Promise<unknown> | undefined {
    Atomics.store(this.cells, PARKED, 1);
    const seq = Atomics.load(this.cells, SEQ);
    if (hasData()) {
      Atomics.store(this.cells, PARKED, 0);
      return undefined;
    }
    const result = waitAsyncOrPoll(this.cells, seq, timeoutMs);
    if (!result.async) {
      Atomics.store(this.cells, PARKED, 0);
      return undefined;
    }
    return result.value.then(this.unpark);
  }

  /**
   * Reader side, blocking form: the same protocol with `Atomics.wait`, for a reader that owns
   * its thread. It wakes ~3× faster than `park` and costs ~3× less CPU per wake-up here
   * (futex only; `waitAsync` adds a V8 task, a libuv async handle and an event-loop turn),
   * but the event loop is stopped while it waits, so `timeoutMs` must stay short, and an actor
   * that owns I/O must never use it.
   */
  parkBlocking(hasData: () => boolean, timeoutMs: number): void {
    Atomics.store(this.cells, PARKED, 1);
    const seq = Atomics.load(this.cells, SEQ);
    if (!hasData()) Atomics.wait(this.cells, SEQ, seq, timeoutMs);
    Atomics.store(this.cells, PARKED, 0);
  }

  private readonly unpark = (): void => {
    Atomics.store(this.cells, PARKED, 0);
  };

  isParked(): boolean {
    return Atomics.load(this.cells, PARKED) !== 0;
  }
}
