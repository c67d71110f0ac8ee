/**
 * The actor contract. An actor module default-exports one `defineActor({...})`: its kind,
 * the ports it reads and writes, and hooks. The runtime owns the loop: it reads the rings,
 * decodes, checks the lifecycle, calls the hook, catches and counts what the hook throws.
 *
 * Hooks receive the actor's state explicitly and may return a new state (pure style) or
 * mutate it and return nothing. Keeping state in one value is what makes `snapshot` /
 * `restore` (hot reload) and replay straightforward.
 *
 * @example
 * ```ts
 * export default defineActor({
 *   kind: 'counter',
 *   version: '1',
 *   inputs: ['in'],
 *   init: () => ({ ticks: 0 }),
 *   onMessage: {
 *     Probe(state) {
 *       state.ticks++;
 *     },
 *   },
 *   snapshot: (state) => state,
 *   restore: (snapshot) => snapshot as { ticks: number },
 * });
 * ```
 */
import type { Message, MessageOf, MessageType } from '../../protocol/index.js';
import type { Clock } from '../../base/clock.js';
import type { Logger } from '../../base/log.js';

/**
 * What an actor is, in the application's words: a label for logs, status and metrics. The
 * runtime attaches no behaviour to it; how an actor is supervised comes from its graph entry.
 */
export type ActorKind = string;

const KIND = /^[A-Za-z0-9_-]+$/;

/** What a hook can do besides returning state. */
export interface ActorContext<P = unknown> {
  readonly actorId: string;
  readonly kind: ActorKind;
  readonly version: string;
  readonly params: P;
  readonly log: Logger;
  readonly clock: Clock;
  /** Sends on an output port. `key` (from `topicKey`) routes and conflates; 0 = to everyone. */
  send(port: string, message: Message, key?: number): void;
  /** Interns a topic on an output port. Cache the result: this does string work. */
  topicKey(port: string, topic: string): number;
  /** Calls `onTimer(state, name)` every `intervalMs` while running. Re-setting replaces it. */
  setTimer(name: string, intervalMs: number): void;
  clearTimer(name: string): void;
  /**
   * Calls `fire` once after `delayMs`, on the actor's timers (virtual time in replay, so a
   * delayed action happens at the same point of the recording every run). A throw is counted
   * and logged under `what`. Unlike `setTimer`, a pause does not cancel it.
   */
  after(delayMs: number, fire: () => void, what: string): void;
  /** Watches async work started by a hook: a rejection is counted and logged, never unhandled. */
  track(promise: Promise<unknown>, what: string): void;
  /** Adds to a named counter reported by `status()`. */
  count(name: string, by?: number): void;
  /** Sets a named gauge reported by `status()`. */
  gauge(name: string, value: number): void;
  /** Counts and logs (rate-limited) an error the actor handled itself, under a reason. */
  reportError(reason: string, error: unknown): void;
  /**
   * Inside onMessage: the id of the actor that wrote the message, from the wiring (not from the
   * message, which its writer could forge). Undefined elsewhere or when the wiring does not say.
   */
  origin(): string | undefined;
  /**
   * Inside onMessage: a copy of the message's bytes as they arrived on the ring (its writer's
   * encoding), for an actor that journals what it received. Undefined elsewhere.
   */
  messageBytes(): Uint8Array | undefined;
}

export type MessageHandlers<S, P> = {
  [T in MessageType]?: (state: S, message: MessageOf<T>, ctx: ActorContext<P>) => S | void;
};

export interface ActorDefinition<S = unknown, P = unknown> {
  readonly kind: ActorKind;
  /** Code version; passed to the successor's `restore` so it can migrate the state shape. */
  readonly version: string;
  /**
   * False when this module cannot be hot-reloaded even where its graph entry allows it (the
   * graph decides which actors are reloadable; a module may only refuse).
   */
  readonly reloadable?: boolean;
  /**
   * The module takes credentials: only a module that says so may be configured with
   * `credentials: true`, which hands its worker the full environment, secrets included.
   */
  readonly credentials?: boolean;
  /** Input port names this actor reads. */
  readonly inputs?: readonly string[];
  /** Output port names this actor writes. */
  readonly outputs?: readonly string[];
  /** Validates and defaults raw params from config; throw an Error naming the field. */
  readonly params?: (raw: unknown) => P;
  /** Creates the initial state (not called when the actor is restored from a snapshot). */
  init(ctx: ActorContext<P>): S | Promise<S>;
  onStart?(state: S, ctx: ActorContext<P>): void | Promise<void>;
  onMessage?: MessageHandlers<S, P>;
  onTimer?(state: S, name: string, ctx: ActorContext<P>): S | void;
  /**
   * Called after each batch: the messages the host drained from the inputs in one go, before
   * their outputs are flushed and before it waits or yields. An actor that commits a batch's
   * effects together does it here. With this hook the inputs' records are handed back to their
   * writers only after it returns, so a crash mid-batch redelivers the whole batch to a restarted
   * reader (not just the message in hand).
   */
  onBatchEnd?(state: S, ctx: ActorContext<P>): void;
  onStop?(state: S, ctx: ActorContext<P>): void | Promise<void>;
  /** A structured-cloneable copy of the state, for hot reload and restarts. */
  snapshot?(state: S): unknown;
  /**
   * How this version's snapshot takes an older version's shape, keyed by that version: a hot
   * reload back to it hands over that shape (restore sees `fromVersion` = its own version)
   * instead of a shape the older code cannot know. Without an entry the successor's restore
   * gets this version's snapshot and migrates it or refuses.
   */
  readonly downgrades?: Readonly<Record<string, (snapshot: unknown) => unknown>>;
  /** Rebuilds state from a predecessor's snapshot taken at version `fromVersion`. */
  restore?(snapshot: unknown, fromVersion: string, ctx: ActorContext<P>): S | Promise<S>;
  /** Actor-specific status for ops (positions, opportunities…). */
  status?(state: S): Record<string, unknown>;
  /**
   * Named commands the control plane may send (for example `halt`). Each gets
   * structured-cloneable args and returns a structured-cloneable result (or a promise of one).
   * Unknown names are refused by the runtime with the list of known ones.
   */
  onCommand?: Readonly<Record<string, (state: S, args: unknown, ctx: ActorContext<P>) => unknown>>;
}

/** Any actor definition, for code that handles definitions generically (hook parameters are contravariant). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyActorDefinition = ActorDefinition<any, any>;

const BRAND = Symbol.for('arbiter.actor');

/** Declares an actor. Validates the definition's shape at load time. */
export function defineActor<S, P = unknown>(definition: ActorDefinition<S, P>): ActorDefinition<S, P> {
  const problem = definitionProblem(definition);
  if (problem) throw new TypeError(`defineActor: ${problem}`);
  Object.defineProperty(definition, BRAND, { value: true });
  return Object.freeze(definition);
}

export function isActorDefinition(value: unknown): value is AnyActorDefinition {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

function definitionProblem(definition: AnyActorDefinition): string | undefined {
  if (typeof definition.kind !== 'string' || !KIND.test(definition.kind)) return `kind must be a name of letters, digits, _ or -, got ${JSON.stringify(definition.kind)}`;
  if (typeof definition.version !== 'string' || definition.version === '') return 'version must be a non-empty string';
  if (typeof definition.init !== 'function') return 'init must be a function';
  if (definition.snapshot && !definition.restore) return 'an actor with snapshot() must also define restore()';
  return undefined;
}

/** Whether the module lets itself be hot-reloaded (where its graph entry allows it). */
export function allowsReload(definition: AnyActorDefinition): boolean {
  return definition.reloadable !== false;
}
