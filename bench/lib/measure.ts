/**
 * In-thread timing loops for work too short to time one call at a time: `process.hrtime`
 * costs ~47 ns here, so each sample is a batch of calls and records the mean per call.
 */
import { monoNowNs } from '../../src/base/clock.js';
import { createLatencyHistogram, recordNs, type Histogram } from './histogram.js';

export interface OpsResult {
  messages: number;
  elapsedNs: number;
  histogram: Histogram;
}

/** Runs `op` for `warmupMs` (not recorded), then for `durationMs` in batches of `batch`. */
export function measureOps(op: () => void, warmupMs: number, durationMs: number, batch = 64): OpsResult {
  const warmupEnd = monoNowNs() + warmupMs * 1e6;
  while (monoNowNs() < warmupEnd) for (let i = 0; i < batch; i++) op();
  const histogram = createLatencyHistogram();
  const start = monoNowNs();
  const end = start + durationMs * 1e6;
  let messages = 0;
  let now = start;
  while (now < end) {
    const before = now;
    for (let i = 0; i < batch; i++) op();
    now = monoNowNs();
    recordNs(histogram, (now - before) / batch);
    messages += batch;
  }
  return { messages, elapsedNs: now - start, histogram };
}
