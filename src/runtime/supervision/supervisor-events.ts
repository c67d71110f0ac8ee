/**
 * What the supervisor reports, as typed events. Tests and ops wait on these (`waitFor`)
 * instead of sleeping: "the actor was restarted" is an event, not a duration.
 */
import type { ActorKind } from '../actor/actor.js';

export type SupervisorEvent =
  | { type: 'actor-started'; actorId: string; kind: ActorKind; version: string }
  | { type: 'actor-crashed'; actorId: string; error: string; exitCode: number }
  | { type: 'actor-restarted'; actorId: string; restarts: number; delayMs: number }
  | { type: 'actor-failed'; actorId: string; reason: string }
  | { type: 'system-fatal'; actorId: string; reason: string }
  | { type: 'system-stopped' }
  | { type: 'reload-succeeded'; actorId: string; fromVersion: string; toVersion: string; pauseUs: number; startupMs: number }
  | { type: 'reload-rolled-back'; actorId: string; stage: 'load' | 'restore' | 'grace'; error: string }
  | { type: 'reload-refused'; actorId: string; reason: string };

export type SupervisorEventType = SupervisorEvent['type'];
type Listener = (event: SupervisorEvent) => void;

export class SupervisorEvents {
  private readonly listeners = new Set<Listener>();
  /** Every event so far, so `waitFor` also finds one that happened before the call. */
  readonly history: SupervisorEvent[] = [];

  emit(event: SupervisorEvent): void {
    this.history.push(event);
    if (this.history.length > 10_000) this.history.splice(0, 5_000);
    for (const listener of this.listeners) listener(event);
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves with the first event (past or future) of `type` that matches `predicate`.
   * `after` skips events already in history at that index or before.
   */
  waitFor<T extends SupervisorEventType>(
    type: T,
    predicate: (event: Extract<SupervisorEvent, { type: T }>) => boolean = () => true,
    after = 0,
  ): Promise<Extract<SupervisorEvent, { type: T }>> {
    const matches = (event: SupervisorEvent): event is Extract<SupervisorEvent, { type: T }> =>
      event.type === type && predicate(event as Extract<SupervisorEvent, { type: T }>);
    const past = this.history.slice(after).find(matches);
    if (past) return Promise.resolve(past);
    return new Promise((resolve) => {
      const unsubscribe = this.subscribe((event) => {
        if (matches(event)) {
          unsubscribe();
          resolve(event);
        }
      });
    });
  }
}
