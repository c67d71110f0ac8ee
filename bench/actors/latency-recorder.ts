/**
 * Where a bench actor's latency numbers live: per load phase, an hdr histogram of `now − ts`
 * (the feed's ingress stamp) for every message, and a progress counter in shared memory so
 * the feed can bound what is in flight and the main thread can wait for the end without
 * polling the actor over the control plane.
 *
 *   control: one counter per consumer, each on its own 128-byte line (consumer i's count
 *   is Int32 index `progressIndex(i)`). Packed side by side, the strategy's and the
 *   execution actor's counters shared a line and cost each of them ~8% of its profile.
 *
 * Phases are ranges of the feed's sequence numbers: `end` is the last seq of a phase. Phase 0
 * is the warm-up: counted, never recorded. A phase may sample one message in `sampleEvery`:
 * under saturation, reading the clock and recording (~150 ns) was ~12% of the execution
 * actor's profile, time the transports under test then could not use.
 */
import { monoNowNs } from '../../src/base/clock.js';
import { createLatencyHistogram, encodeHistogram, recordNs, type Histogram } from '../lib/histogram.js';

export const CONTROL_CELLS = 16;
const LINE_INTS = 32;
export const CONTROL_BYTES = CONTROL_CELLS * LINE_INTS * 4;

/** Int32 index of consumer `cell`'s counter in the control buffer. */
export function progressIndex(cell: number): number {
  return cell * LINE_INTS;
}

/** The control buffer as Int32 cells (index them with `progressIndex`). */
export function controlView(control: SharedArrayBuffer): Int32Array {
  if (!(control instanceof SharedArrayBuffer) || control.byteLength < CONTROL_BYTES) throw new Error(`control must be a SharedArrayBuffer of ${CONTROL_BYTES} bytes`);
  return new Int32Array(control, 0, CONTROL_BYTES >> 2);
}
/** Wake waiters every this many messages (a notify per message would cost a syscall each). */
const NOTIFY_EVERY = 256;

export interface PhaseReport {
  measured: number;
  /** Ingress stamp of the phase's first message and time of its last one, for msgs/s. */
  firstTs: number;
  lastNs: number;
  histogram: string;
}

/** What a recorder is told about one feed phase. */
export interface RecorderPhase {
  /** Last sequence number of the phase. */
  end: number;
  sampleEvery: number;
}

interface Phase extends RecorderPhase {
  measured: number;
  firstTs: number;
  lastNs: number;
  histogram: Histogram;
}

export class LatencyRecorder {
  private readonly cells: Int32Array;
  private readonly index: number;
  private readonly phases: Phase[];
  private phase = 0;

  constructor(
    control: SharedArrayBuffer,
    cell: number,
    phases: readonly RecorderPhase[],
  ) {
    if (!(cell >= 0 && cell < CONTROL_CELLS)) throw new Error(`latency recorder: cell must be in [0, ${CONTROL_CELLS}), got ${cell}`);
    if (phases.length === 0) throw new Error('latency recorder: at least the warm-up phase is needed');
    this.cells = controlView(control);
    this.index = progressIndex(cell);
    this.phases = phases.map(({ end, sampleEvery }) => ({ end, sampleEvery: Math.max(1, sampleEvery), measured: 0, firstTs: 0, lastNs: 0, histogram: createLatencyHistogram() }));
  }

  /** Call once the message is fully handled: the latency ends here. Seqs arrive in order. */
  record(ts: number, seq: number): void {
    while (this.phase < this.phases.length - 1 && seq > this.phases[this.phase]!.end) this.phase++;
    if (this.phase > 0) {
      const phase = this.phases[this.phase]!;
      if (phase.measured === 0) phase.firstTs = ts;
      // The phase's last message is always timed: its time ends the span for msgs/s.
      if (phase.measured++ % phase.sampleEvery === 0 || seq === phase.end) {
        const now = monoNowNs();
        phase.lastNs = now;
        recordNs(phase.histogram, now - ts);
      }
    }
    if ((Atomics.add(this.cells, this.index, 1) + 1) % NOTIFY_EVERY === 0) Atomics.notify(this.cells, this.index);
  }

  /** Every measured phase (the warm-up is left out). */
  report(): PhaseReport[] {
    return this.phases.slice(1).map((p) => ({ measured: p.measured, firstTs: p.firstTs, lastNs: p.lastNs, histogram: encodeHistogram(p.histogram) }));
  }
}
