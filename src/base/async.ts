/**
 * The three promise helpers the layers above share: a deadline on a promise, a sleep that can be
 * ended early, and one turn of the event loop.
 */

/**
 * `promise`, or a rejection with `onTimeout()` (default: "no answer within N ms") after `timeoutMs`.
 * The timer is cleared as soon as the promise settles, so a pending deadline never holds the process.
 */
export function withTimeout<T>(promise: Promise<T>, timeoutMs: number, onTimeout: () => Error = () => new Error(`no answer within ${timeoutMs} ms`)): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
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

/** Resolves after the event loop has run its pending I/O callbacks once (`setImmediate`). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
