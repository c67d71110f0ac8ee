/**
 * The supervisor's view of one actor, as a transition table (the actor's own lifecycle inside
 * its worker is lifecycle.ts). Only the supervisor moves it; hot reload asks through its port
 * (reload-port.ts).
 *
 *   starting ──► running ──► reloading ──► running        (swapped, or rolled back)
 *                 │  ▲          │
 *                 ▼  │          ▼
 *               restarting ◄────┘ (the old worker crashed mid-reload)
 *                 │  ▲ └─(a restart that fails to start is another crash)
 *                 ▼
 *               failed   (restart limit exceeded)
 *
 *   every state but stopping/stopped ──► stopping ──► stopped
 */
import { arbiterError } from '../../base/errors.js';

export const MANAGED_STATES = ['starting', 'running', 'restarting', 'reloading', 'failed', 'stopping', 'stopped'] as const;
export type ManagedState = (typeof MANAGED_STATES)[number];

const TRANSITIONS: Readonly<Record<ManagedState, readonly ManagedState[]>> = Object.freeze({
  starting: ['running', 'stopping'],
  running: ['reloading', 'restarting', 'failed', 'stopping'],
  restarting: ['running', 'restarting', 'failed', 'stopping'],
  reloading: ['running', 'restarting', 'failed', 'stopping'],
  failed: ['stopping'],
  stopping: ['stopped'],
  stopped: [],
});

/** Whether the table allows `from` → `to`. */
export function canMove(from: ManagedState, to: ManagedState): boolean {
  return TRANSITIONS[from].includes(to);
}

/** One actor's managed state; `moveTo` throws ACTOR_STATE naming the actor, from and to. */
export class ManagedLifecycle {
  private current: ManagedState = 'starting';

  constructor(private readonly actorId: string) {}

  get state(): ManagedState {
    return this.current;
  }

  moveTo(next: ManagedState): void {
    if (!canMove(this.current, next)) {
      throw arbiterError('ACTOR_STATE', `actor ${this.actorId}: supervisor state cannot go from ${this.current} to ${next} (allowed: ${TRANSITIONS[this.current].join(', ') || 'none'})`);
    }
    this.current = next;
  }

  is(...states: readonly ManagedState[]): boolean {
    return states.includes(this.current);
  }
}
