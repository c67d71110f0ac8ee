/**
 * The control plane: what the supervisor can ask of each actor over comlink (a MessagePort
 * per actor, separate from the data plane). Calls return promises; every supervisor-side call
 * goes through `withTimeout` (src/base/async.ts), so an actor stuck in a hook cannot hang the supervisor.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ActorKind } from '../actor/actor.js';
import type { Handover, StartOptions } from '../actor/actor-host.js';
import type { ActorStatus } from '../actor/actor-status.js';
import type { PendingRecords } from '../transport/output-port.js';
import type { WaitOptions } from '../transport/wait-strategy.js';
import type { ActorWiringSpec } from '../graph/wiring.js';

export interface ActorInfo {
  actorId: string;
  kind: ActorKind;
  version: string;
  /** The module lets itself be hot-reloaded (ActorDefinition.reloadable is not false). */
  allowsReload: boolean;
  inputs: string[];
  outputs: string[];
}

export interface ActorControl {
  /** Imports the actor module and validates it against its wiring and params. */
  load(): Promise<ActorInfo>;
  start(options?: StartOptions): Promise<void>;
  pause(): Promise<void>;
  /** Pauses and hands over in one round trip (hot reload: the pause is on the clock), for a successor at `forVersion`. */
  pauseForHandover(forVersion?: string): Promise<Handover>;
  handover(forVersion?: string): Promise<Handover>;
  resume(options?: { reattach?: boolean; pending?: Record<string, PendingRecords> }): Promise<void>;
  snapshot(): Promise<{ version: string; snapshot: unknown }>;
  status(): Promise<ActorStatus>;
  stop(): Promise<void>;
  /** An actor-specific command (ActorDefinition.onCommand), e.g. `halt`. */
  command(name: string, args?: unknown): Promise<unknown>;
}

/** What a worker receives at spawn. Secrets never travel here: they reach the credentialed actor via its env. */
export interface ActorWorkerData {
  /** The TypeScript module the bootstrap imports (worker-entry.ts for actors). */
  entry: string;
  actorId: string;
  modulePath: string;
  params: unknown;
  wiring: ActorWiringSpec;
  spinSlots: SharedArrayBuffer;
  wait: WaitOptions;
  control: MessagePort;
  credentialed: boolean;
}
