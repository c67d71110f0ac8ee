/**
 * An actor's lifecycle as an explicit transition table, not scattered booleans.
 *
 *   created ──start──► starting ──started──► running ◄──resume── paused
 *                         │                   │  └────pause────►  │
 *                         └──fail──► failed   └──stop──► stopping ◄┘──stop
 *                                                          └──stopped──► stopped
 */
import { arbiterError } from '../../base/errors.js';

export type LifecycleState = 'created' | 'starting' | 'running' | 'paused' | 'stopping' | 'stopped' | 'failed';
export type LifecycleEvent = 'start' | 'started' | 'pause' | 'resume' | 'stop' | 'stopped' | 'fail';

const TRANSITIONS: Readonly<Record<LifecycleState, Partial<Record<LifecycleEvent, LifecycleState>>>> = Object.freeze({
  created: { start: 'starting', stop: 'stopped', fail: 'failed' },
  starting: { started: 'running', fail: 'failed', stop: 'stopping' },
  running: { pause: 'paused', stop: 'stopping', fail: 'failed' },
  paused: { resume: 'running', stop: 'stopping', fail: 'failed' },
  stopping: { stopped: 'stopped', fail: 'failed' },
  stopped: {},
  failed: { stop: 'stopped' },
});

/** The state after `event`, or undefined when `event` is not allowed in `state`. */
export function nextState(state: LifecycleState, event: LifecycleEvent): LifecycleState | undefined {
  return TRANSITIONS[state][event];
}

/** Holds the current state; `apply` throws ACTOR_STATE naming both on an illegal transition. */
export class Lifecycle {
  private current: LifecycleState = 'created';

  constructor(private readonly actorId: string) {}

  get state(): LifecycleState {
    return this.current;
  }

  apply(event: LifecycleEvent): LifecycleState {
    const next = nextState(this.current, event);
    if (next === undefined) {
      throw arbiterError('ACTOR_STATE', `actor ${this.actorId}: cannot ${event} while ${this.current}`);
    }
    this.current = next;
    return next;
  }

  is(state: LifecycleState): boolean {
    return this.current === state;
  }
}
