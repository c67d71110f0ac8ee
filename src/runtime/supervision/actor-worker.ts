/**
 * One actor's worker thread as the supervisor sees it: spawn, typed control calls that fail
 * fast (timeout, or the worker died) instead of hanging, and the exit as a promise. On exit,
 * however it happened, the thread's spin slots go back to the shared pool (a thread killed
 * mid-spin never ran the code that releases them), before anyone awaiting the exit is told.
 */
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { ActorControl, ActorInfo, ActorWorkerData } from './control.js';
import { Doorbell } from '../transport/doorbell.js';
import { arbiterError, describeError } from '../../base/errors.js';
import { SpinSlots } from '../transport/wait-strategy.js';
import { transferablePorts } from '../graph/wiring.js';
import { withTimeout } from '../../base/async.js';

const BOOT_URL = new URL('./worker-boot.mjs', import.meta.url);
const ENTRY_URL = new URL('./worker-entry.ts', import.meta.url).href;

export interface WorkerExit {
  code: number;
  /** The uncaught error that killed it, if any. */
  error: string | undefined;
  /** True when the supervisor asked for the exit (stop, reload, terminate). */
  expected: boolean;
}

export type SpawnSpec = Omit<ActorWorkerData, 'entry' | 'control'> & { env: Record<string, string> };

export class ActorWorker {
  readonly exited: Promise<WorkerExit>;
  /** Taken at spawn: it names the thread's spin slots after the thread is gone. */
  readonly threadId: number;
  info: ActorInfo | undefined;
  private readonly worker: Worker;
  private readonly control: Comlink.Remote<ActorControl>;
  private expected = false;
  private lastError: string | undefined;
  private readonly doorbell: Doorbell;

  private constructor(
    readonly actorId: string,
    spec: SpawnSpec,
    private readonly timeoutMs: number,
  ) {
    const { port1, port2 } = new MessageChannel();
    this.doorbell = new Doorbell(spec.wiring.doorbell);
    const { env, ...rest } = spec;
    const workerData: ActorWorkerData = { ...rest, entry: ENTRY_URL, control: port2 };
    this.worker = new Worker(BOOT_URL, {
      workerData,
      transferList: [port2, ...transferablePorts(spec.wiring)],
      env,
      stdout: false,
      stderr: false,
    });
    this.threadId = this.worker.threadId;
    this.worker.on('error', (error) => {
      this.lastError = describeError(error);
    });
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', (code) => {
        new SpinSlots(spec.spinSlots).releaseHeldBy(this.threadId);
        port1.close();
        resolve({ code, error: this.lastError, expected: this.expected });
      });
    });
    this.control = Comlink.wrap<ActorControl>(nodeEndpoint(port1));
  }

  static spawn(actorId: string, spec: SpawnSpec, timeoutMs: number): ActorWorker {
    return new ActorWorker(actorId, spec, timeoutMs);
  }

  /** Calls the actor's control API; rejects on timeout or if the worker exits first. */
  call<T>(what: string, fn: (control: Comlink.Remote<ActorControl>) => Promise<T>, timeoutMs = this.timeoutMs): Promise<T> {
    const died = this.exited.then((exit) => {
      throw arbiterError('ACTOR_CRASHED', `actor ${this.actorId} exited (code ${exit.code}) during ${what}${exit.error ? `: ${exit.error}` : ''}`);
    });
    // If the call wins the race, `died` still rejects at the eventual exit: keep that silent.
    died.catch(() => {});
    const answer = fn(this.control);
    // The request is posted; a reader blocked in a park would only see it when the park times out
    // (up to 5 ms), and a busy one at its next periodic yield (up to 1 ms): ask it to yield now.
    this.doorbell.requestAttention();
    return withTimeout(Promise.race([answer, died]), timeoutMs, () => arbiterError('CONTROL_TIMEOUT', `actor ${this.actorId} ${what} did not answer within ${timeoutMs} ms`));
  }

  async load(): Promise<ActorInfo> {
    this.info = await this.call('load', (c) => c.load());
    return this.info;
  }

  /** Marks the coming exit as intended and terminates the thread. */
  async terminate(): Promise<WorkerExit> {
    this.expected = true;
    await this.worker.terminate();
    return this.exited;
  }
}
