/**
 * Bench worker threads: started through the runtime's worker bootstrap (which registers tsx,
 * so the entry can be TypeScript) and driven step by step with a small handshake — `step`
 * (prepare) → `ready` → `go` → `done` — so every side of a measurement is loaded and attached
 * before the first message is timed, and one pair of threads serves many steps (a thread
 * with tsx costs ~0.3 s to start here).
 */
import { Worker, type TransferListItem } from 'node:worker_threads';

const BOOT = new URL('../../src/runtime/supervision/worker-boot.mjs', import.meta.url);

/** Starts `entry` (a module URL) on a worker thread. */
export function startBenchWorker(entry: URL): Worker {
  return new Worker(BOOT, { workerData: { entry: entry.href } });
}

/** Resolves with the next message of `type` from `worker`; rejects if it errors or exits first. */
export function nextMessage<T extends { type: string }>(worker: Worker, type: T['type'], timeoutMs = 120_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (message: T): void => {
      if (message?.type !== type) return;
      cleanup();
      resolve(message);
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const onExit = (code: number): void => {
      cleanup();
      reject(new Error(`bench worker exited with code ${code} before sending ${type}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`bench worker sent no ${type} within ${timeoutMs} ms`));
    }, timeoutMs);
    worker.on('message', onMessage);
    worker.once('error', onError);
    worker.once('exit', onExit);
  });
}

export interface StepPart<D> {
  worker: Worker;
  data: D;
  transferList?: TransferListItem[];
}

export interface StepDone<R> {
  type: 'done';
  result?: R;
}

/** Runs one step on several workers at once: all prepare, then all start together; returns what each reported. */
export async function runStep<D, R>(parts: readonly StepPart<D>[]): Promise<(R | undefined)[]> {
  const ready = parts.map(({ worker }) => nextMessage(worker, 'ready'));
  for (const { worker, data, transferList } of parts) worker.postMessage({ type: 'step', data }, transferList ?? []);
  await Promise.all(ready);
  const done = parts.map(({ worker }) => nextMessage<StepDone<R>>(worker, 'done'));
  for (const { worker } of parts) worker.postMessage({ type: 'go' });
  return (await Promise.all(done)).map((message) => message.result);
}
