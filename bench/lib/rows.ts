/** The shapes of a measurement and of the row a suite saves (results.ts writes them, ratios.ts and table.ts read them). */
import type { Histogram, LatencySummary } from './histogram.js';

export interface RunEnvironment {
  commit: string;
  node: string;
  cores: number;
}

/** One measured variant, as a suite returns it. */
export interface Measurement {
  variant: string;
  transport: string;
  /** Messages (or operations, or round trips) that were measured, warm-up excluded. */
  messages: number;
  elapsedNs: number;
  histogram: Histogram;
  /** For a suite that reads figures the system computed itself (no samples here): they replace the histogram's. */
  percentiles?: LatencySummary;
  /** Threads that run during the measurement (the idle main thread is not counted). */
  threads: number;
  waitStrategy?: string;
  note?: string;
}

export interface BenchRow extends RunEnvironment {
  suite: string;
  variant: string;
  transport: string;
  messages: number;
  msgsPerSec: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  p999Us: number;
  maxUs: number;
  threads: number;
  waitStrategy: string | null;
  note: string | null;
}
