/**
 * Reconnect pacing. Exponential backoff with "equal jitter": the delay is drawn from
 * [ceiling/2, ceiling) where ceiling = min(max, base · 2^attempt). The random half matters: one
 * dropped socket fails every stream on it at the same instant, and without jitter they would all
 * reconnect (and fetch snapshots) in lockstep, which is how venues start rate-limiting a client.
 */

/** @example backoffDelayMs(3, 250, 30_000) // somewhere in [1000, 2000) */
export function backoffDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return ceiling / 2 + (random() * ceiling) / 2;
}

/** A sleep that `wake()` ends early (stopping must not wait out a 30 s backoff). */
export class Sleeper {
  private timer: NodeJS.Timeout | undefined;
  private resolve: (() => void) | undefined;

  sleep(ms: number): Promise<void> {
    this.wake();
    return new Promise((resolve) => {
      this.resolve = resolve;
      this.timer = setTimeout(() => this.wake(), ms);
    });
  }

  get sleeping(): boolean {
    return this.resolve !== undefined;
  }

  wake(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const resolve = this.resolve;
    this.resolve = undefined;
    resolve?.();
  }
}
