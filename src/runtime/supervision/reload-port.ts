/**
 * What hot reload (hot-reload.ts) may see and do of the supervisor: read one actor's record,
 * spawn an unsupervised worker, and move the actor through the reload's steps. The supervisor
 * implements it privately; every state change goes through its transition table
 * (managed-state.ts), so the reload never assigns a state itself.
 */
import type { Logger } from '../../base/log.js';
import type { TimerScheduler } from '../actor/timers.js';
import type { ActorWorker, SpawnSpec } from './actor-worker.js';
import type { ManagedState } from './managed-state.js';
import type { SupervisorEvents } from './supervisor-events.js';

/** Per-actor reload counters, reported in status and metrics (the reload updates them). */
export interface ReloadStats {
  succeeded: number;
  rolledBack: number;
  refused: number;
  lastPauseUs: number | null;
}

/** One actor as a reload sees it. */
export interface ReloadTarget {
  readonly state: ManagedState;
  /** The worker control calls go to now. */
  readonly worker: ActorWorker | undefined;
  /** How the current worker was spawned. */
  readonly spec: SpawnSpec;
  /** Its graph entry allows hot reload. */
  readonly reloadable: boolean;
}

export interface ReloadPort {
  readonly events: SupervisorEvents;
  readonly log: Logger;
  /** What the grace period waits on. */
  readonly timers: TimerScheduler;
  /** Throws WIRING, naming the actors there are, for an unknown id. */
  target(actorId: string): ReloadTarget;
  stats(actorId: string): ReloadStats;
  /** The module's real path when a reload may load it (reload-dirs.ts), else the reason not. */
  checkModule(modulePath: string): { ok: true; path: string } | { ok: false; reason: string };
  /** A worker for the actor that nobody supervises yet. */
  spawn(actorId: string, spec: SpawnSpec): ActorWorker;
  /** running → reloading. */
  begin(actorId: string): void;
  /** Control calls go to `worker` from now on (the state stays reloading). */
  switchTo(actorId: string, worker: ActorWorker): void;
  /** reloading → running on `oldWorker`, which stayed supervised throughout. */
  rollBack(actorId: string, oldWorker: ActorWorker): void;
  /** reloading → running on `worker`, spawned from `spec`, supervised from now on. */
  complete(actorId: string, worker: ActorWorker, spec: SpawnSpec): void;
}
