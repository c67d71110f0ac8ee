/**
 * Runs one actor: attaches its ports, owns the read → decode → dispatch loop, and carries out
 * control requests (start, pause, resume, hand-over, stop) through the lifecycle table.
 *
 * The loop polls every input up to a batch, dispatches synchronously, then either continues
 * (yielding to the event loop every millisecond so control requests and timers are served) or
 * waits per the wait strategy. Control requests arrive as event-loop tasks, so they always
 * land between batches: a pause happens at a message boundary by construction.
 *
 * Ports are attached on start and re-attached on a rollback resume, never earlier: a reader's
 * position lives in the ring, and a successor may have moved it.
 *
 * Replay runs the same host without a loop of its own (driven-host.ts); the status report is
 * built in actor-status.ts.
 */
import type { Message } from '../../protocol/index.js';
import type { ActorDefinition } from './actor.js';
import { HostContext } from './actor-context.js';
import { actorStatus, type ActorStatus } from './actor-status.js';
import type { ChannelPolicy, RecordSource } from '../transport/channel.js';
import { systemClock, type Clock, monoNowNs } from '../../base/clock.js';
import { createCodec, warmUp, type Codec, type DecodeValidation } from '../transport/codec.js';
import { Doorbell } from '../transport/doorbell.js';
import { arbiterError } from '../../base/errors.js';
import { InputPort } from '../transport/input-port.js';
import { Lifecycle, type LifecycleState } from './lifecycle.js';
import type { Logger } from '../../base/log.js';
import { OutputPort, type Destination, type PendingRecords } from '../transport/output-port.js';
import { realTimers, type TimerScheduler } from './timers.js';
import { SpinSlots, Waiter, type WaitOptions } from '../transport/wait-strategy.js';
import { yieldToEventLoop } from '../../base/async.js';

export interface InputWiring {
  readonly name: string;
  readonly conflate: boolean;
  readonly validation: DecodeValidation;
  /** The writing actor of each source attach() returns, in the same order. */
  readonly origins?: readonly string[];
  attach(): RecordSource[];
}

export interface OutputWiring {
  readonly name: string;
  readonly policy: ChannelPolicy;
  attach(): Destination[];
}

export interface HostWiring {
  readonly inputs: readonly InputWiring[];
  readonly outputs: readonly OutputWiring[];
  readonly doorbell: SharedArrayBuffer;
  readonly spinSlots: SharedArrayBuffer;
  readonly wait: WaitOptions;
  /** Records handled per input before looking at the others and at the event loop. */
  readonly batchSize?: number;
  /**
   * The actor has its thread to itself (a worker), so waiting for ring input may block it,
   * unless it owns I/O (`wait.ownsIo`: then it always parks through its event loop).
   */
  readonly ownThread?: boolean;
}

export interface StartOptions {
  restore?: { snapshot: unknown; fromVersion: string };
  pending?: Record<string, PendingRecords>;
  /**
   * Start paused: state is built and onStart has run, but no input is read and no output is
   * delivered until `resume()`. A hot-reload successor starts this way, so a failure before
   * it is resumed has consumed and produced nothing.
   */
  paused?: boolean;
}

export interface Handover {
  /** The version whose shape `snapshot` has (the successor's, when the actor could downgrade to it). */
  version: string;
  /** False when the actor defines no snapshot(): its successor starts from init(). */
  hasSnapshot: boolean;
  snapshot: unknown;
  pending: Record<string, PendingRecords>;
}


export class ActorHost<S, P> {
  protected readonly lifecycle: Lifecycle;
  protected readonly context: HostContext<P>;
  private readonly doorbell: Doorbell;
  private readonly waiter: Waiter;
  protected readonly batchSize: number;
  protected inputs: InputPort[] = [];
  /** Built once: codecs do not depend on ring cursors, and a reload's start is on the clock. */
  private readonly inputCodecs: Codec[];
  private readonly outputCodec: Codec;
  protected outputs: OutputPort[] = [];
  private state!: S;
  private loopDone: Promise<void> = Promise.resolve();
  private lastMessageNs = 0;
  private firstMessageNs = 0;
  private unhandled = 0;
  /** The input whose message is being dispatched (for ctx.origin() and ctx.messageBytes()). */
  private dispatching: InputPort | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private keepAlive: NodeJS.Timeout | undefined;

  constructor(
    readonly actorId: string,
    private readonly definition: ActorDefinition<S, P>,
    params: P,
    private readonly wiring: HostWiring,
    log: Logger,
    clock: Clock = systemClock,
    timers: TimerScheduler = realTimers,
  ) {
    this.lifecycle = new Lifecycle(actorId);
    this.context = new HostContext(
      actorId,
      definition.kind,
      definition.version,
      params,
      log,
      clock,
      (name) => this.handleTimer(name),
      () => this.dispatching,
      timers,
    );
    this.doorbell = new Doorbell(wiring.doorbell);
    this.batchSize = wiring.batchSize ?? 256;
    this.inputCodecs = wiring.inputs.map((input) => createCodec({ validation: input.validation }));
    this.outputCodec = createCodec();
    for (const codec of [...this.inputCodecs, this.outputCodec]) warmUp(codec);
    this.waiter = new Waiter(wiring.wait, this.doorbell, new SpinSlots(wiring.spinSlots), () => this.hasInput());
  }

  get lifecycleState(): LifecycleState {
    return this.lifecycle.state;
  }

  /** Attaches ports, builds or restores state, runs onStart, and starts the loop. */
  async start(options: StartOptions = {}): Promise<void> {
    this.lifecycle.apply('start');
    try {
      // Outputs stay held until the loop runs: a failed start must not have written anything.
      this.attach(options.pending, true);
      const { restore } = options;
      if (restore) {
        if (!this.definition.restore) throw arbiterError('ACTOR_HOOK', `actor ${this.actorId} has no restore() hook`);
        this.state = await this.definition.restore(restore.snapshot, restore.fromVersion, this.context);
      } else {
        this.state = await this.definition.init(this.context);
      }
      await this.definition.onStart?.(this.state, this.context);
    } catch (error) {
      this.lifecycle.apply('fail');
      this.detach();
      throw error;
    }
    this.lifecycle.apply('started');
    if (options.paused) this.lifecycle.apply('pause');
    else this.run();
  }

  /**
   * Stops at a message boundary. Inputs stay in their rings; timers stop. Outputs are flushed
   * for up to `drainMs` so that a hand-over rarely carries undelivered records.
   */
  async pause(drainMs = 100): Promise<void> {
    this.lifecycle.apply('pause');
    this.context.runTimers(false);
    this.doorbell.wake();
    await this.loopDone;
    const deadline = Date.now() + drainMs;
    while (this.outputs.some((port) => !port.flush()) && Date.now() < deadline) {
      await yieldToEventLoop();
    }
  }

  /**
   * While paused: the state snapshot and undelivered outputs for a successor. Detaches outputs.
   * For a successor at `forVersion` this version can downgrade to, the snapshot is in that shape.
   */
  handover(forVersion?: string): Handover {
    if (!this.lifecycle.is('paused')) throw arbiterError('ACTOR_STATE', `actor ${this.actorId}: hand-over needs a paused actor, it is ${this.lifecycle.state}`);
    const own = this.definition.snapshot ? this.definition.snapshot(this.state) : undefined;
    const downgrade = forVersion === undefined || forVersion === this.definition.version ? undefined : this.definition.downgrades?.[forVersion];
    const snapshot = downgrade && own !== undefined ? downgrade(own) : own;
    const version = downgrade && own !== undefined ? forVersion! : this.definition.version;
    const pending = Object.fromEntries(this.outputs.map((port) => [port.name, port.takePending()]));
    this.context.detachOutputs();
    return { version, hasSnapshot: this.definition.snapshot !== undefined, snapshot, pending };
  }

  /** Resumes. After a hand-over (rollback) it re-attaches ports: a successor moved the cursors. */
  resume(options: { reattach?: boolean; pending?: Record<string, PendingRecords> } = {}): void {
    if (options.reattach) this.attach(options.pending, false);
    this.lifecycle.apply('resume');
    this.run();
  }

  /** Runs a named command hook (see ActorDefinition.onCommand). Errors reach the caller. */
  async command(name: string, args: unknown): Promise<unknown> {
    const commands = this.definition.onCommand ?? {};
    const handler = Object.prototype.hasOwnProperty.call(commands, name) ? commands[name] : undefined;
    if (!handler) {
      throw arbiterError('ACTOR_STATE', `actor ${this.actorId} has no command ${JSON.stringify(name)} (known: ${Object.keys(commands).join(', ') || 'none'})`);
    }
    if (!this.lifecycle.is('running') && !this.lifecycle.is('paused')) {
      throw arbiterError('ACTOR_STATE', `actor ${this.actorId}: cannot run ${name} while ${this.lifecycle.state}`);
    }
    return handler(this.state, args, this.context);
  }

  snapshot(): { version: string; snapshot: unknown } {
    return { version: this.definition.version, snapshot: this.definition.snapshot?.(this.state) };
  }

  /** Graceful stop: finish the batch, run onStop, deliver pending outputs as far as possible. */
  async stop(): Promise<void> {
    if (this.lifecycle.is('stopped')) return;
    const wasActive = this.lifecycle.is('running') || this.lifecycle.is('paused');
    // Never started (or failed to): nothing ran, so there is nothing to stop but the state.
    if (this.lifecycle.apply('stop') === 'stopped') return;
    this.context.runTimers(false);
    this.doorbell.wake();
    await this.loopDone;
    try {
      if (wasActive) await this.definition.onStop?.(this.state, this.context);
    } catch (error) {
      this.context.reportError('onStop', error);
    }
    this.flushOutputs();
    this.detach();
    this.lifecycle.apply('stopped');
  }

  status(): ActorStatus {
    return actorStatus({
      actorId: this.actorId,
      definition: this.definition,
      state: this.state,
      lifecycleState: this.lifecycle.state,
      context: this.context,
      inputs: this.inputs,
      outputs: this.outputs,
      waiter: this.waiter,
      waitStrategy: this.wiring.wait.strategy,
      unhandled: this.unhandled,
      firstMessageNs: this.firstMessageNs,
      lastMessageNs: this.lastMessageNs,
    });
  }

  private attach(pending: Record<string, PendingRecords> | undefined, hold: boolean): void {
    this.inputs = this.wiring.inputs.map(
      (input, i) => new InputPort(input.name, input.attach(), this.inputCodecs[i]!, input.conflate, this.dispatch, this.onDecodeError, input.origins ?? []),
    );
    this.waiter.blockingAllowed = this.wiring.ownThread === true && this.inputs.every((port) => !port.eventDriven);
    if (this.definition.onBatchEnd) for (const port of this.inputs) port.holdReleases(true);
    this.outputs = this.wiring.outputs.map((output) => new OutputPort(output.name, output.policy, this.outputCodec, output.attach(), this.scheduleFlush));
    for (const port of this.outputs) {
      port.hold(hold);
      const records = pending?.[port.name];
      if (records && records.length > 0) port.restorePending(records);
    }
    this.context.bindOutputs(this.outputs);
    this.keepAlive ??= setInterval(() => {}, 1 << 30);
  }

  private detach(): void {
    if (this.flushTimer) clearInterval(this.flushTimer);
    this.flushTimer = undefined;
    if (this.keepAlive) clearInterval(this.keepAlive);
    this.keepAlive = undefined;
  }

  private run(): void {
    for (const port of this.outputs) port.hold(false);
    this.flushOutputs();
    this.context.runTimers(true);
    this.loopDone = this.inputs.length > 0 ? this.startLoop() : Promise.resolve();
  }

  /** Runs the read → dispatch loop until the actor leaves `running`; a driven host runs none. */
  protected startLoop(): Promise<void> {
    return this.loop();
  }

  private async loop(): Promise<void> {
    while (this.lifecycle.is('running')) {
      let handled = 0;
      for (let i = 0; i < this.inputs.length; i++) handled += this.inputs[i]!.poll(this.batchSize);
      if (handled > 0) {
        this.endBatch();
        this.flushOutputs();
        // A control request is waiting (the supervisor raised attention): serve it now.
        const pause = this.doorbell.takeAttention() ? yieldToEventLoop() : this.waiter.maybeYield();
        if (pause) await pause;
        continue;
      }
      const wait = this.waiter.idle();
      if (wait) await wait;
    }
  }

  protected hasInput(): boolean {
    for (let i = 0; i < this.inputs.length; i++) if (this.inputs[i]!.hasData()) return true;
    return false;
  }

  private readonly dispatch = (message: Message, port: InputPort): void => {
    const now = monoNowNs();
    if (this.firstMessageNs === 0) this.firstMessageNs = now;
    this.lastMessageNs = now;
    const handler = this.definition.onMessage?.[message.type] as ((state: S, message: Message, ctx: HostContext<P>) => S | void) | undefined;
    if (!handler) {
      this.unhandled++;
      return;
    }
    this.dispatching = port;
    try {
      const next = handler(this.state, message, this.context);
      if (next !== undefined) this.acceptState(next, `onMessage.${message.type}`);
    } catch (error) {
      this.context.reportError(`onMessage.${message.type}`, error);
    } finally {
      this.dispatching = undefined;
    }
  };

  /** Runs onBatchEnd, then hands the batch's records back to their writers. A throw keeps them held (counted and logged). */
  protected endBatch(): void {
    if (!this.definition.onBatchEnd) return;
    try {
      this.definition.onBatchEnd(this.state, this.context);
    } catch (error) {
      this.context.reportError('onBatchEnd', error);
      return;
    }
    for (let i = 0; i < this.inputs.length; i++) this.inputs[i]!.release();
  }

  /** Fires a timer's onTimer now, as if it had elapsed (tests drive time this way). */
  fireTimer(name: string): void {
    this.handleTimer(name);
  }

  private handleTimer(name: string): void {
    if (!this.lifecycle.is('running') || !this.definition.onTimer) return;
    try {
      const next = this.definition.onTimer(this.state, name, this.context);
      if (next !== undefined) this.acceptState(next, `onTimer.${name}`);
    } catch (error) {
      this.context.reportError(`onTimer.${name}`, error);
    }
  }

  /** Hooks are synchronous; a returned promise would replace the state with a promise. */
  private acceptState(next: S, hook: string): void {
    if (typeof (next as { then?: unknown }).then === 'function') {
      this.context.reportError(hook, new Error(`${hook} returned a promise: hooks must be synchronous (use ctx.track for async work)`));
      return;
    }
    this.state = next;
  }

  private readonly onDecodeError = (error: unknown, port: InputPort): void => {
    this.context.reportError(`decode.${port.name}`, error);
  };

  protected flushOutputs(): void {
    for (let i = 0; i < this.outputs.length; i++) {
      const port = this.outputs[i]!;
      if (port.hasPending()) port.flush();
    }
    // A pending backlog with no loop iteration to drain it (a writer without inputs) needs the flush timer.
    if (this.flushTimer === undefined && this.outputs.some((port) => port.hasPending())) this.scheduleFlush();
  }

  /** Writers without inputs have no loop: drain their backlogs on a short timer. */
  private readonly scheduleFlush = (): void => {
    if (this.flushTimer) return;
    this.flushTimer = setInterval(() => {
      this.flushOutputs();
      if (!this.outputs.some((port) => port.hasPending()) && this.flushTimer) {
        clearInterval(this.flushTimer);
        this.flushTimer = undefined;
      }
    }, 1);
  };
}
