/**
 * Exponential back-off, for reconnects (with jitter) and restarts (without).
 *
 * Reconnects use "equal jitter": the delay is drawn from [ceiling/2, ceiling) where
 * ceiling = min(max, base · 2^attempt). The random half matters: one dropped socket fails every
 * stream on it at the same instant, and without jitter they would all reconnect (and fetch
 * snapshots) in lockstep, which is how venues start rate-limiting a client.
 */

/** min(maxMs, baseMs · 2^attempt), with the exponent capped so the product stays finite. */
export function exponentialDelayMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempt, 0), 30));
}

/** @example backoffDelayMs(3, 250, 30_000) // somewhere in [1000, 2000) */
export function backoffDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = exponentialDelayMs(attempt, baseMs, maxMs);
  return ceiling / 2 + (random() * ceiling) / 2;
}
