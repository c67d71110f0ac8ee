/**
 * Latency histograms (hdr-histogram-js) recorded in nanoseconds and reported in microseconds.
 *
 * Workers record into their own histogram and ship it to the main thread as hdr's compressed
 * base64 encoding, which is exact per bucket (3 significant digits), so percentiles computed
 * after merging are the same as if one thread had recorded everything.
 */
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';

export type { Histogram } from 'hdr-histogram-js';

/** 1 ns to 60 s at 3 significant digits; 32-bit counts are plenty for a bench run. */
const BUCKETS = 32;
const HIGHEST_NS = 60e9;

export function createLatencyHistogram(): Histogram {
  return build({ bitBucketSize: BUCKETS, lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_NS, numberOfSignificantValueDigits: 3 });
}

/** Records a latency in ns; values outside the range are clamped rather than thrown on. */
export function recordNs(histogram: Histogram, latencyNs: number): void {
  histogram.recordValue(latencyNs < 1 ? 1 : latencyNs > HIGHEST_NS ? HIGHEST_NS : Math.round(latencyNs));
}

export function encodeHistogram(histogram: Histogram): string {
  return encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): Histogram {
  return decodeFromCompressedBase64(encoded, BUCKETS, false);
}

/** Merges encoded histograms (one per reader or per worker) into one. */
export function mergeHistograms(encoded: readonly string[]): Histogram {
  const merged = createLatencyHistogram();
  for (const item of encoded) merged.add(decodeHistogram(item));
  return merged;
}

export interface LatencySummary {
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
}

const us = (ns: number): number => Math.round(ns) / 1e3;

export function summarize(histogram: Histogram): LatencySummary {
  return {
    p50Us: us(histogram.getValueAtPercentile(50)),
    p90Us: us(histogram.getValueAtPercentile(90)),
    p99Us: us(histogram.getValueAtPercentile(99)),
    p999Us: us(histogram.getValueAtPercentile(99.9)),
    // Percentiles are bucket-equivalent values, which can sit a hair above the exact maximum.
    maxUs: us(Math.max(histogram.maxValue, histogram.getValueAtPercentile(100))),
  };
}
