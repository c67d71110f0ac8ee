/** Helpers for tests that start raw worker threads on TypeScript fixtures. */
import { Worker } from 'node:worker_threads';

const BOOT = new URL('../../src/runtime/supervision/worker-boot.mjs', import.meta.url);

/** Starts `fixture` (a path relative to test/fixtures) on a worker thread through the tsx bootstrap. */
export function startFixtureWorker(fixture: string, data: Record<string, unknown>): Worker {
  const entry = new URL(`../fixtures/${fixture}`, import.meta.url).href;
  return new Worker(BOOT, { workerData: { ...data, entry } });
}

/** Resolves with the worker's first message; rejects if it errors or exits first. */
export function firstMessage(worker: Worker): Promise<unknown> {
  return new Promise((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`worker exited with code ${code} before sending a message`)));
  });
}

/** Resolves once `cells[index] >= target` (the writer must Atomics.notify that cell). */
export async function waitForCell(cells: Int32Array, index: number, target: number): Promise<void> {
  for (;;) {
    const value = Atomics.load(cells, index);
    if (value >= target) return;
    const result = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, t: number): { async: boolean; value: Promise<string> | string } }).waitAsync(cells, index, value, 200);
    if (result.async) await result.value;
  }
}

/** Polls `probe` until it returns a value (not undefined), with an overall bound. No fixed sleeps decide the outcome. */
export async function eventually<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
