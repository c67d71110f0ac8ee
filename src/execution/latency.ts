/**
 * Latency on the order path, in µs, on the process-wide monotonic clock (base/clock): every stamp
 * (the feed's frame arrival in `ts`, the strategy's, execution's, the socket write's) is
 * `process.hrtime`, one clock for all threads.
 *
 * A `LatencyRecorder` keeps an HDR histogram (exact p50/p99 without keeping samples) and counts
 * per fixed bucket (LATENCY_BUCKETS_US) for Prometheus. `StageLatencies` holds one per order
 * stage and deciding path (see ORDER_STAGES); recording is a few array writes, no allocation.
 */
import { build, type Histogram } from 'hdr-histogram-js';
import { LATENCY_BUCKETS_US, ORDER_STAGES, type DecisionPath, type LatencySummary, type OrderStage, type StageLatency } from '../protocol/index.js';
import { monoNowNs } from '../base/clock.js';

/** One hour: anything slower is recorded as this (the histogram's range). */
const MAX_US = 3_600_000_000;
/** Index order of the recorders: tick first. */
const PATHS: readonly DecisionPath[] = ['tick', 'timer'];

export class LatencyRecorder {
  private readonly histogram: Histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: MAX_US, numberOfSignificantValueDigits: 3 });
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  private readonly buckets = new Float64Array(LATENCY_BUCKETS_US.length + 1);
  private sumUs = 0;

  /** Records now − `intentTs`; ignores intents without a timestamp (reloaded after a restart, or 0 from a strategy). */
  recordSince(intentTs: number, nowNs = monoNowNs()): void {
    if (intentTs > 0) this.recordNs(nowNs - intentTs);
  }

  /** Records a duration in ns; a negative or non-finite one (a stamp missing) is ignored. */
  recordNs(durationNs: number): void {
    const us = durationNs / 1e3;
    if (!(us >= 0) || us === Infinity) return;
    const value = Math.max(1, Math.min(MAX_US, Math.round(us)));
    this.histogram.recordValue(value);
    this.sumUs += us;
    let i = 0;
    while (i < LATENCY_BUCKETS_US.length && us > (LATENCY_BUCKETS_US[i] as number)) i++;
    this.buckets[i]! += 1;
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  summary(): LatencySummary {
    const h = this.histogram;
    const cumulativeCounts: number[] = [];
    let running = 0;
    for (let i = 0; i < LATENCY_BUCKETS_US.length; i++) cumulativeCounts.push((running += this.buckets[i] as number));
    if (h.totalCount === 0) return { count: 0, p50Us: null, p90Us: null, p99Us: null, p999Us: null, maxUs: null, sumUs: 0, cumulativeCounts };
    const at = (percentile: number): number => h.getValueAtPercentile(percentile);
    return { count: h.totalCount, p50Us: at(50), p90Us: at(90), p99Us: at(99), p999Us: at(99.9), maxUs: Math.max(h.maxValue, at(100)), sumUs: Math.round(this.sumUs), cumulativeCounts };
  }
}

/** One recorder per (stage, path), created on first use; indexed by position, so recording allocates nothing. */
export class StageLatencies {
  private readonly recorders: (LatencyRecorder | undefined)[] = new Array<LatencyRecorder | undefined>(ORDER_STAGES.length * PATHS.length);

  record(stage: OrderStage, path: DecisionPath, durationNs: number): void {
    const index = ORDER_STAGES.indexOf(stage) * PATHS.length + (path === 'tick' ? 0 : 1);
    (this.recorders[index] ??= new LatencyRecorder()).recordNs(durationNs);
  }

  status(): StageLatency[] {
    const out: StageLatency[] = [];
    ORDER_STAGES.forEach((stage, s) =>
      PATHS.forEach((path, p) => {
        const recorder = this.recorders[s * PATHS.length + p];
        if (recorder && recorder.count > 0) out.push({ stage, path, ...recorder.summary() });
      }),
    );
    return out;
  }
}

/** Everything execution measures about the order path, shared by its parts. */
export class OrderLatency {
  /** Tick → wire (or denial): the headline figure. */
  readonly tickToOrder = new LatencyRecorder();
  readonly stages = new StageLatencies();
  readonly commandsByPath: Record<DecisionPath, number> = { tick: 0, timer: 0 };
}
