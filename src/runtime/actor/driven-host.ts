/**
 * An actor host that an outside driver runs (replay's lockstep driver, lockstep.ts): it starts no
 * read loop of its own. The driver calls `step()` to have it handle what is in its rings, and
 * asks `hasWork()` / `inFlight()` whether the graph has gone quiet. Everything else (lifecycle,
 * dispatch, hooks, outputs, status) is the ordinary host's, so a replayed actor behaves as it
 * does live.
 */
import { ActorHost } from './actor-host.js';

export class DrivenActorHost<S, P> extends ActorHost<S, P> {
  protected override startLoop(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Handles every record now in the input rings (whatever the handlers' outputs cause arrives in
   * other actors' rings, not this one's), then flushes the outputs. Returns the number handled.
   */
  step(): number {
    if (!this.lifecycle.is('running')) return 0;
    let handled = 0;
    for (;;) {
      let batch = 0;
      for (let i = 0; i < this.inputs.length; i++) batch += this.inputs[i]!.poll(this.batchSize);
      if (batch === 0) break;
      handled += batch;
      this.endBatch();
    }
    this.flushOutputs();
    return handled;
  }

  /** Unread input, undelivered output or unsettled async work remains. */
  busy(): boolean {
    return this.hasWork() || this.context.inFlight > 0;
  }

  /** Why `busy()` holds, for a driver's error message. */
  busyReason(): string {
    const pending = this.outputs.filter((port) => port.hasPending()).map((port) => port.name);
    return [this.hasInput() ? 'unread input' : '', pending.length ? `undelivered output on ${pending.join(', ')}` : '', this.context.inFlight ? `${this.context.inFlight} async task(s)` : ''].filter(Boolean).join(', ');
  }

  /** Unread input or undelivered output. */
  hasWork(): boolean {
    return this.hasInput() || this.outputs.some((port) => port.hasPending());
  }

  /** Tracked async work (ctx.track, ctx.after) not yet settled. */
  inFlight(): number {
    return this.context.inFlight;
  }
}
