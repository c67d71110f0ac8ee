/**
 * What an actor reports to the control plane: its identity, lifecycle state, traffic and error
 * counts, per-port and wait-strategy figures, and the actor's own `status()` section. Built on
 * request (ops polls it), never on the message path.
 */
import { describeError } from '../../base/errors.js';
import { monoNowNs } from '../../base/clock.js';
import type { AnyActorDefinition } from './actor.js';
import type { HostContext } from './actor-context.js';
import type { LifecycleState } from './lifecycle.js';
import type { InputPort, InputStats } from '../transport/input-port.js';
import type { OutputPort } from '../transport/output-port.js';
import type { Waiter, WaitStrategyName } from '../transport/wait-strategy.js';

export interface ActorStatus {
  actorId: string;
  kind: string;
  version: string;
  state: LifecycleState;
  messagesIn: number;
  messagesOut: number;
  errors: number;
  errorsByReason: Record<string, number>;
  unhandled: number;
  lastMessageAgeMs: number | null;
  firstMessageAtNs: number | null;
  inputs: InputStats[];
  outputs: ReturnType<OutputPort['stats']>[];
  wait: { strategy: string; spinBudgetUs: number; spinHits: number; spinMisses: number; parks: number };
  counters: Record<string, number>;
  gauges: Record<string, number>;
  custom?: Record<string, unknown>;
}

/** The parts of a running host that its status is read from. */
export interface StatusSource {
  readonly actorId: string;
  readonly definition: AnyActorDefinition;
  /** The actor's state; undefined before init() has run. */
  readonly state: unknown;
  readonly lifecycleState: LifecycleState;
  readonly context: HostContext<unknown>;
  readonly inputs: readonly InputPort[];
  readonly outputs: readonly OutputPort[];
  readonly waiter: Waiter;
  readonly waitStrategy: WaitStrategyName;
  readonly unhandled: number;
  /** Monotonic ns of the first and the latest dispatched message; 0 when none came yet. */
  readonly firstMessageNs: number;
  readonly lastMessageNs: number;
}

export function actorStatus(source: StatusSource): ActorStatus {
  const { definition, context, inputs, outputs, waiter } = source;
  return {
    actorId: source.actorId,
    kind: definition.kind,
    version: definition.version,
    state: source.lifecycleState,
    messagesIn: inputs.reduce((sum, port) => sum + port.messagesIn, 0),
    messagesOut: outputs.reduce((sum, port) => sum + port.messagesOut, 0),
    // Decode errors are reported through the context as `decode.<port>`, so they are in here.
    errors: context.errors,
    errorsByReason: { ...context.errorsByReason },
    unhandled: source.unhandled,
    lastMessageAgeMs: source.lastMessageNs === 0 ? null : (monoNowNs() - source.lastMessageNs) / 1e6,
    firstMessageAtNs: source.firstMessageNs === 0 ? null : source.firstMessageNs,
    inputs: inputs.map((port) => port.stats()),
    outputs: outputs.map((port) => port.stats()),
    wait: {
      strategy: source.waitStrategy,
      spinBudgetUs: waiter.currentSpinBudgetUs(),
      spinHits: waiter.spinHits,
      spinMisses: waiter.spinMisses,
      parks: waiter.parks,
    },
    counters: { ...context.counters },
    gauges: { ...context.gauges },
    ...(definition.status && source.state !== undefined ? { custom: customStatus(definition, source.state) } : {}),
  };
}

/** The actor's own status section; a throw there is reported in it, not to the caller. */
function customStatus(definition: AnyActorDefinition, state: unknown): Record<string, unknown> {
  try {
    return definition.status!(state);
  } catch (error) {
    return { statusError: describeError(error) };
  }
}
