/**
 * Simulator time. Venue timestamps are wall-clock epoch milliseconds (clients sign requests
 * with their own clock and venues check `recvWindow` against theirs), so the clock itself is
 * never sped up. `timeScale` compresses *funding time* only: with `timeScale` 960 an 8 h
 * funding interval settles every 30 s of real time, and funding rates drift 960× faster.
 * Prices and streams always run in real time.
 */

export interface SimClock {
  /** Epoch milliseconds. */
  nowMs(): number;
  /** Funding-time compression factor (≥ 1 speeds funding up). */
  readonly timeScale: number;
}

/** Real milliseconds that a venue duration of `venueMs` takes under the clock's time scale. */
export function scaledDurationMs(clock: SimClock, venueMs: number): number {
  return venueMs / clock.timeScale;
}

export function systemClock(timeScale = 1): SimClock {
  return { nowMs: () => Date.now(), timeScale };
}
