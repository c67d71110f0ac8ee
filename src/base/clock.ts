/**
 * The one clock every thread shares.
 *
 * `process.hrtime()` reads CLOCK_MONOTONIC through libuv, which is the same clock in every
 * worker thread of the process (unlike `performance.now()`, whose origin is per thread). A
 * timestamp taken by a feed worker can therefore be subtracted from one taken by the execution
 * worker. Values are nanoseconds as a double: exact up to 2^53 ns (~104 days of host uptime),
 * and 2 ns granular beyond that, which is far below what we measure.
 */

/** Monotonic nanoseconds, comparable across all threads of this process. ~50 ns per call. */
export function monoNowNs(): number {
  const t = process.hrtime();
  return t[0] * 1e9 + t[1];
}

/** An injectable clock, so tests and replay can drive time. */
export interface Clock {
  /** Monotonic nanoseconds (for latency). */
  monoNs(): number;
  /** Wall-clock milliseconds since the epoch (for venue timestamps and schedules). */
  wallMs(): number;
}

export const systemClock: Clock = Object.freeze({ monoNs: monoNowNs, wallMs: () => Date.now() });
