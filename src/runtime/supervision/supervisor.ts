/**
 * The supervisor: builds the rings of an actor graph, spawns each actor on its own worker
 * thread, restarts crashed actors with backoff under a restart-intensity limit, answers
 * status, and shuts down stage by stage (each actor's `stopStage`, stop-order.ts), letting
 * each stage's input rings drain first. What an actor is for is the application's business:
 * the supervisor follows the settings of its graph entry (stop stage, fatal on escalation,
 * reloadable).
 *
 * A restarted actor gets the same rings (they live here, in SharedArrayBuffers), so it
 * resumes at the committed cursors: nothing written to it is lost. A crash mid-message can
 * deliver that one message again (see ring.ts).
 *
 * @example
 * ```ts
 * const supervisor = await Supervisor.start(parseGraphConfig(raw), { baseDir: process.cwd() });
 * console.log(await supervisor.status());
 * await supervisor.stop();
 * ```
 */
import { dirname } from 'node:path';
import type { ActorKind } from '../actor/actor.js';
import type { ActorStatus } from '../actor/actor-status.js';
import { realTimers, type TimerScheduler } from '../actor/timers.js';
import { ActorWorker, type SpawnSpec, type WorkerExit } from './actor-worker.js';
import type { ActorInfo } from './control.js';
import { arbiterError, describeError } from '../../base/errors.js';
import { actorModulePath, restartPolicyFor, waitOptionsFor, type ActorConfig, type GraphConfig } from '../graph/graph-config.js';
import { rootLogger, type Logger } from '../../base/log.js';
import { ManagedLifecycle, type ManagedState } from './managed-state.js';
import { RestartTracker } from './restart-policy.js';
import { RingProbe } from '../transport/ring.js';
import { reloadActor, type ReloadOptions, type ReloadResult } from './hot-reload.js';
import type { ReloadPort, ReloadStats } from './reload-port.js';
import { ReloadDirs } from './reload-dirs.js';
import { SupervisorEvents } from './supervisor-events.js';
import { SpinSlots } from '../transport/wait-strategy.js';
import { publicEnv } from '../../base/public-env.js';
import { stopStages } from '../graph/stop-order.js';
import { buildWiring, type ActorWiringSpec, type GraphWiring } from '../graph/wiring.js';

export interface SupervisorOptions {
  /** Directory that relative module paths are resolved against (default: cwd). */
  baseDir?: string;
  log?: Logger;
  /** Cap on concurrently spinning readers (default: cores − 1). */
  maxSpinners?: number;
  controlTimeoutMs?: number;
  /** How long shutdown waits for a stage's input rings to drain. */
  drainTimeoutMs?: number;
  /** Environment for the credentialed worker (default: process.env). Others get it minus secrets. */
  env?: NodeJS.ProcessEnv;
  /**
   * The timers that restart back-off and the reload grace period wait on (default: real ones).
   * Tests pass `VirtualTimers` to end those waits when they choose, without sleeping.
   */
  timers?: TimerScheduler;
  /**
   * The only directories hot reload may load a module from (relative to baseDir; real paths
   * compared). Default: the directories of the reloadable actors' configured modules.
   */
  reloadDirs?: readonly string[];
}

/** The supervisor's record of one actor, as others may read it. */
export interface ManagedActor {
  readonly config: ActorConfig;
  /** How to spawn this actor; a successful hot reload from another module path replaces it. */
  readonly spec: SpawnSpec;
  readonly worker: ActorWorker | undefined;
  readonly info: ActorInfo | undefined;
  readonly state: ManagedState;
  readonly restarts: number;
  readonly lastError: string | undefined;
}

/** The record itself: only this module changes it, and its state only through the table. */
class ManagedRecord implements ManagedActor {
  worker: ActorWorker | undefined;
  info: ActorInfo | undefined;
  restarts = 0;
  lastError: string | undefined;
  readonly lifecycle: ManagedLifecycle;

  constructor(
    readonly config: ActorConfig,
    public spec: SpawnSpec,
    readonly tracker: RestartTracker,
  ) {
    this.lifecycle = new ManagedLifecycle(config.id);
  }

  get state(): ManagedState {
    return this.lifecycle.state;
  }
}

export interface SupervisorActorStatus {
  actorId: string;
  kind: ActorKind | undefined;
  state: ManagedState;
  restarts: number;
  reloads: ReloadStats;
  lastError: string | undefined;
  actor: ActorStatus | undefined;
}

export class Supervisor {
  readonly events = new SupervisorEvents();
  readonly log: Logger;
  private readonly records = new Map<string, ManagedRecord>();
  private stopping: Promise<void> | undefined;
  private readonly controlTimeoutMs: number;
  private readonly reloads = new Map<string, ReloadStats>();
  private readonly reloadPort: ReloadPort;
  private readonly timers: TimerScheduler;
  private readonly reloadDirs: ReloadDirs;

  private constructor(
    readonly graph: GraphConfig,
    readonly wiring: GraphWiring,
    private readonly options: SupervisorOptions,
  ) {
    this.log = options.log ?? rootLogger().child({ component: 'supervisor' });
    this.controlTimeoutMs = options.controlTimeoutMs ?? 15_000;
    this.timers = options.timers ?? realTimers;
    const baseDir = options.baseDir ?? process.cwd();
    this.reloadDirs = ReloadDirs.of(options.reloadDirs ?? graph.actors.filter((actor) => actor.reloadable).map((actor) => dirname(actorModulePath(actor.module, baseDir))), baseDir);
    this.reloadPort = this.createReloadPort();
  }

  /** Spawns and starts every actor; fails (after stopping what started) if any cannot load. */
  static async start(graph: GraphConfig, options: SupervisorOptions = {}): Promise<Supervisor> {
    const supervisor = new Supervisor(graph, buildWiring(graph), options);
    supervisor.createRecords();
    try {
      await supervisor.startAll();
    } catch (error) {
      await supervisor.stop();
      throw error;
    }
    return supervisor;
  }

  /** Every actor's record, by id (read-only: the supervisor owns them). */
  get actors(): ReadonlyMap<string, ManagedActor> {
    return this.records;
  }

  private createRecords(): void {
    const spinSlots = SpinSlots.create(this.options.maxSpinners);
    const baseDir = this.options.baseDir ?? process.cwd();
    const fullEnv = Object.fromEntries(Object.entries(this.options.env ?? process.env).filter((e): e is [string, string] => e[1] !== undefined));
    const sanitized = publicEnv(this.options.env ?? process.env);
    for (const config of this.graph.actors) {
      const wiring = this.wiring.actors.get(config.id)!;
      const spec: SpawnSpec = {
        actorId: config.id,
        modulePath: actorModulePath(config.module, baseDir),
        params: config.params ?? {},
        wiring,
        spinSlots,
        wait: waitOptionsFor(this.graph, config),
        credentialed: config.credentials === true,
        env: config.credentials ? fullEnv : sanitized,
      };
      this.records.set(config.id, new ManagedRecord(config, spec, new RestartTracker(restartPolicyFor(this.graph, config))));
    }
  }

  /** Loads every module in parallel, then starts the stages in reverse stop order (readers first). */
  private async startAll(): Promise<void> {
    const records = [...this.records.values()];
    for (const record of records) record.worker = this.spawnWorker(record.config.id, record.spec);
    await Promise.all(records.map(async (record) => (record.info = await record.worker!.load())));
    for (const stage of stopStages(records, (record) => record.config.stopStage).reverse()) {
      await Promise.all(stage.map((record) => this.startWorker(record, record.worker!)));
    }
  }

  private async startWorker(record: ManagedRecord, worker: ActorWorker): Promise<void> {
    await worker.call('start', (c) => c.start());
    record.lifecycle.moveTo('running');
    this.watch(record, worker);
    this.events.emit({ type: 'actor-started', actorId: record.config.id, kind: worker.info!.kind, version: worker.info!.version });
  }

  /** Supervises `worker` as the current incarnation of `record`. */
  private watch(record: ManagedRecord, worker: ActorWorker): void {
    record.worker = worker;
    record.info = worker.info;
    void worker.exited.then((exit) => {
      if (record.worker !== worker || exit.expected || this.stopping) return;
      this.onCrash(record, exit).catch((error: unknown) => {
        this.log.error({ actorId: record.config.id, error: describeError(error) }, 'crash handling failed');
      });
    });
  }

  private async onCrash(record: ManagedRecord, exit: WorkerExit): Promise<void> {
    const actorId = record.config.id;
    record.lastError = exit.error ?? `worker exited with code ${exit.code}`;
    record.worker = undefined;
    this.events.emit({ type: 'actor-crashed', actorId, error: record.lastError, exitCode: exit.code });
    this.log.error({ actorId, error: record.lastError }, 'actor crashed');
    const decision = record.tracker.onCrash();
    if (decision.decision === 'escalate') {
      record.lifecycle.moveTo('failed');
      const reason = `${decision.recentCrashes} crashes within ${decision.withinMs} ms exceeds the restart limit; last error: ${record.lastError}`;
      this.events.emit({ type: 'actor-failed', actorId, reason });
      this.log.error({ actorId, reason }, 'actor stopped: restart intensity exceeded');
      if (record.config.fatalOnEscalation) {
        this.events.emit({ type: 'system-fatal', actorId, reason: `actor ${actorId} failed, and the system cannot run without it: ${reason}` });
        await this.stop();
      }
      return;
    }
    record.lifecycle.moveTo('restarting');
    await new Promise<void>((resolveDelay) => this.timers.after(decision.delayMs, resolveDelay));
    if (this.stopping) return;
    const worker = this.spawnWorker(actorId, record.spec);
    try {
      await worker.load();
      record.restarts++;
      await this.startWorker(record, worker);
      this.events.emit({ type: 'actor-restarted', actorId, restarts: record.restarts, delayMs: decision.delayMs });
      this.log.warn({ actorId, restarts: record.restarts, delayMs: decision.delayMs }, 'actor restarted');
    } catch (error) {
      await worker.terminate();
      // Shutdown began while this incarnation was starting: it is stopped, not crashed.
      if (this.stopping) return;
      // A restart that cannot even start counts as another crash.
      await this.onCrash(record, { code: 1, error: describeError(error), expected: false });
    }
  }

  /** Starts a worker thread for `actorId` (not yet loaded or supervised). */
  private spawnWorker(actorId: string, spec: SpawnSpec): ActorWorker {
    return ActorWorker.spawn(actorId, spec, this.controlTimeoutMs);
  }

  /**
   * Hot-reloads an actor its graph marks reloadable: the new code loads in a fresh worker while
   * the old one runs, then takes over its state and rings; any failure keeps the old version
   * running. See hot-reload.ts.
   */
  reload(actorId: string, options?: ReloadOptions): Promise<ReloadResult> {
    return reloadActor(this.reloadPort, actorId, options);
  }

  /** What hot reload may see and do (reload-port.ts); nothing else of the supervisor. */
  private createReloadPort(): ReloadPort {
    const record = (actorId: string): ManagedRecord => this.record(actorId);
    return {
      events: this.events,
      log: this.log,
      timers: this.timers,
      target: (actorId) => {
        const { state, worker, spec, config } = record(actorId);
        return { state, worker, spec, reloadable: config.reloadable };
      },
      stats: (actorId) => this.reloadStats(actorId),
      checkModule: (modulePath) => this.reloadDirs.check(modulePath),
      spawn: (actorId, spec) => this.spawnWorker(actorId, spec),
      begin: (actorId) => record(actorId).lifecycle.moveTo('reloading'),
      switchTo: (actorId, worker) => {
        record(actorId).worker = worker;
      },
      rollBack: (actorId, oldWorker) => {
        const rolledBack = record(actorId);
        rolledBack.lifecycle.moveTo('running');
        rolledBack.worker = oldWorker;
      },
      complete: (actorId, worker, spec) => {
        const reloaded = record(actorId);
        reloaded.lifecycle.moveTo('running');
        reloaded.spec = spec;
        this.watch(reloaded, worker);
      },
    };
  }

  /** Sends a named command to an actor (ActorDefinition.onCommand) and returns its result (CONTROL_TIMEOUT after `timeoutMs`, default the control timeout). */
  command(actorId: string, name: string, args?: unknown, timeoutMs?: number): Promise<unknown> {
    return this.worker(actorId).call(`command ${name}`, (c) => c.command(name, args), timeoutMs);
  }

  /** Reload counters of one actor (created on first use). */
  private reloadStats(actorId: string): ReloadStats {
    let stats = this.reloads.get(actorId);
    if (!stats) this.reloads.set(actorId, (stats = { succeeded: 0, rolledBack: 0, refused: 0, lastPauseUs: null }));
    return stats;
  }

  /** One actor's record; throws WIRING naming the actors there are for an unknown id. */
  managed(actorId: string): ManagedActor {
    return this.record(actorId);
  }

  private record(actorId: string): ManagedRecord {
    const record = this.records.get(actorId);
    if (!record) throw arbiterError('WIRING', `no actor ${JSON.stringify(actorId)} (actors: ${[...this.records.keys()].join(', ')})`);
    return record;
  }

  /** The live worker of an actor, for control calls. */
  worker(actorId: string): ActorWorker {
    const record = this.record(actorId);
    if (!record.worker) throw arbiterError('ACTOR_STATE', `actor ${actorId} has no running worker (${record.state})`);
    return record.worker;
  }

  async actorStatus(actorId: string): Promise<SupervisorActorStatus> {
    const record = this.record(actorId);
    let actor: ActorStatus | undefined;
    if (record.worker && record.lifecycle.is('running', 'reloading')) {
      try {
        actor = await record.worker.call('status', (c) => c.status(), Math.min(this.controlTimeoutMs, 5_000));
      } catch (error) {
        record.lastError = describeError(error);
      }
    }
    return { actorId, kind: record.info?.kind, state: record.state, restarts: record.restarts, reloads: { ...this.reloadStats(actorId) }, lastError: record.lastError, actor };
  }

  async status(): Promise<SupervisorActorStatus[]> {
    return Promise.all([...this.records.keys()].map((id) => this.actorStatus(id)));
  }

  /** Bytes waiting in every ring that feeds `actorId`. */
  inputBacklogBytes(actorId: string): number {
    const spec: ActorWiringSpec = this.record(actorId).spec.wiring;
    let total = 0;
    for (const input of spec.inputs) {
      for (const { end } of input.channels) if (end.transport === 'ring') total += new RingProbe(end.ring).usedBytes();
    }
    return total;
  }

  /** Graceful shutdown: stage by stage, draining each stage's inputs before stopping it. */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  private async stopAll(): Promise<void> {
    for (const stage of stopStages([...this.records.values()], (record) => record.config.stopStage)) {
      await Promise.all(stage.map((record) => this.stopOne(record)));
    }
    this.events.emit({ type: 'system-stopped' });
  }

  private async stopOne(record: ManagedRecord): Promise<void> {
    const worker = record.worker;
    const started = record.lifecycle.is('running', 'reloading');
    record.lifecycle.moveTo('stopping');
    if (worker && !started) {
      // Spawned but never started (start-up failed elsewhere): there is nothing to drain or stop.
      await worker.terminate();
    } else if (worker) {
      await this.waitForDrain(record.config.id);
      try {
        await worker.call('stop', (c) => c.stop());
      } catch (error) {
        this.log.warn({ actorId: record.config.id, error: describeError(error) }, 'actor did not stop cleanly');
      }
      await worker.terminate();
    }
    record.lifecycle.moveTo('stopped');
  }

  private async waitForDrain(actorId: string): Promise<void> {
    const deadline = Date.now() + (this.options.drainTimeoutMs ?? 5_000);
    while (this.inputBacklogBytes(actorId) > 0 && Date.now() < deadline) {
      await new Promise((resolveTick) => setTimeout(resolveTick, 5));
    }
  }
}
