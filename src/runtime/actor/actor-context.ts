/**
 * The `ActorContext` the host hands to hooks: output ports, timers, counters and error
 * reporting. Timers and async work are owned here so that a pause (hot reload) can stop them
 * and a handed-over actor can never write to a ring its successor now owns.
 */
import type { Message } from '../../protocol/index.js';
import type { ActorContext, ActorKind } from './actor.js';
import type { Clock } from '../../base/clock.js';
import { arbiterError, describeError } from '../../base/errors.js';
import type { Logger } from '../../base/log.js';
import { ReportLimiter } from '../../base/report-limiter.js';
import type { OutputPort } from '../transport/output-port.js';
import { realTimers, type TimerHandle, type TimerScheduler } from './timers.js';

/** The input whose message a hook is handling (an InputPort, while it dispatches). */
export interface Delivery {
  currentOrigin(): string | undefined;
  currentRecord(): Uint8Array | undefined;
}

export class HostContext<P> implements ActorContext<P> {
  private outputs = new Map<string, OutputPort>();
  private readonly timers = new Map<string, { intervalMs: number; handle: TimerHandle | undefined }>();
  private timersRunning = false;
  /** Tracked async work not yet settled (a replay driver waits for it to reach zero). */
  inFlight = 0;
  private detached = false;
  readonly counters: Record<string, number> = Object.create(null);
  readonly gauges: Record<string, number> = Object.create(null);
  readonly errorsByReason: Record<string, number> = Object.create(null);
  errors = 0;
  /** At most one log line per reason per second; everything is counted. */
  private readonly limiter = new ReportLimiter(1000);

  constructor(
    readonly actorId: string,
    readonly kind: ActorKind,
    readonly version: string,
    readonly params: P,
    readonly log: Logger,
    readonly clock: Clock,
    private readonly onTimerFired: (name: string) => void,
    /** The delivery being dispatched; undefined outside onMessage. */
    private readonly delivering: () => Delivery | undefined = () => undefined,
    private readonly scheduler: TimerScheduler = realTimers,
  ) {}

  origin(): string | undefined {
    return this.delivering()?.currentOrigin();
  }

  messageBytes(): Uint8Array | undefined {
    return this.delivering()?.currentRecord();
  }

  /** Binds the (re)attached output ports. */
  bindOutputs(outputs: readonly OutputPort[]): void {
    this.outputs = new Map(outputs.map((port) => [port.name, port]));
    this.detached = false;
  }

  /** After a hand-over the successor owns the rings: sends are refused from here on. */
  detachOutputs(): void {
    this.detached = true;
  }

  output(port: string): OutputPort {
    const output = this.outputs.get(port);
    if (!output) {
      throw arbiterError('WIRING', `actor ${this.actorId} has no output port ${JSON.stringify(port)} (wired: ${[...this.outputs.keys()].join(', ') || 'none'})`);
    }
    return output;
  }

  send(port: string, message: Message, key = 0): void {
    if (this.detached) {
      this.reportError('send_after_handover', new Error(`send on ${port} after hand-over was dropped`));
      return;
    }
    this.output(port).send(message, key);
  }

  topicKey(port: string, topic: string): number {
    return this.output(port).topicKey(topic);
  }

  setTimer(name: string, intervalMs: number): void {
    if (!(intervalMs > 0)) throw arbiterError('ACTOR_HOOK', `setTimer(${name}): intervalMs must be > 0, got ${intervalMs}`);
    this.clearTimer(name);
    const timer = { intervalMs, handle: undefined as TimerHandle | undefined };
    this.timers.set(name, timer);
    if (this.timersRunning) timer.handle = this.scheduler.every(intervalMs, () => this.onTimerFired(name));
  }

  clearTimer(name: string): void {
    const timer = this.timers.get(name);
    if (timer?.handle) this.scheduler.cancel(timer.handle);
    this.timers.delete(name);
  }

  /** Starts (on start/resume) or stops (on pause/stop) every declared timer. */
  runTimers(running: boolean): void {
    this.timersRunning = running;
    for (const [name, timer] of this.timers) {
      if (timer.handle) this.scheduler.cancel(timer.handle);
      timer.handle = running ? this.scheduler.every(timer.intervalMs, () => this.onTimerFired(name)) : undefined;
    }
  }

  after(delayMs: number, fire: () => void, what: string): void {
    this.inFlight++;
    this.scheduler.after(delayMs, () => {
      this.inFlight--;
      try {
        fire();
      } catch (error) {
        this.reportError(what, error);
      }
    });
  }

  track(promise: Promise<unknown>, what: string): void {
    this.inFlight++;
    promise.then(
      () => this.inFlight--,
      (error: unknown) => {
        this.inFlight--;
        this.reportError(what, error);
      },
    );
  }

  count(name: string, by = 1): void {
    this.counters[name] = (this.counters[name] ?? 0) + by;
  }

  gauge(name: string, value: number): void {
    this.gauges[name] = value;
  }

  reportError(reason: string, error: unknown): void {
    this.errors++;
    this.errorsByReason[reason] = (this.errorsByReason[reason] ?? 0) + 1;
    const suppressed = this.limiter.admit(reason, this.clock.wallMs());
    if (suppressed !== undefined) this.log.error({ reason, suppressed, err: describeError(error) }, `actor error: ${reason}`);
  }
}
