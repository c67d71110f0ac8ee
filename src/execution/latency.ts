/**
 * Tick-to-order latency: from the `ts` of the intent (the ingress time of the market event that
 * caused it, on the process-wide monotonic clock) to the moment the order is sent or denied, in µs,
 * in an HDR histogram so p99 stays exact without keeping samples.
 */
import { build, type Histogram } from 'hdr-histogram-js';
import type { LatencySummary } from '../protocol/index.js';
import { monoNowNs } from '../base/clock.js';

/** One hour: anything slower is recorded as this (the histogram's range). */
const MAX_US = 3_600_000_000;

export class LatencyRecorder {
  private readonly histogram: Histogram = build({ lowestDiscernibleValue: 1, highestTrackableValue: MAX_US, numberOfSignificantValueDigits: 3 });

  /** Records now − `intentTs`; ignores intents without a timestamp (reloaded after a restart, or 0 from a strategy). */
  recordSince(intentTs: number, nowNs = monoNowNs()): void {
    if (!(intentTs > 0)) return;
    const us = (nowNs - intentTs) / 1e3;
    if (!(us >= 0)) return;
    this.histogram.recordValue(Math.max(1, Math.min(MAX_US, Math.round(us))));
  }

  summary(): LatencySummary {
    const h = this.histogram;
    if (h.totalCount === 0) return { count: 0, p50Us: null, p99Us: null, maxUs: null };
    return { count: h.totalCount, p50Us: h.getValueAtPercentile(50), p99Us: h.getValueAtPercentile(99), maxUs: h.maxValue };
  }
}
