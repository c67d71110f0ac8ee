/**
 * The lockstep driver: runs an actor graph in the current thread, on virtual time, one input at
 * a time, so that the same inputs always give the same outputs (replay mode).
 *
 * The actors are the same modules, loaded, checked and wired the same way as under the
 * supervisor (actor-loader.ts, wiring.ts: real rings, real topic routing), but each host is a
 * `DrivenActorHost`: it runs no loop of its own. Some actors are *sources*: the driver does not load them
 * and writes their output itself with `publish` (replay stands in for recorded inputs this way).
 *
 * After every input the driver settles the graph: it steps every host in graph order until no
 * ring holds a record, no output is backlogged and no tracked async work (ctx.track, ctx.after)
 * is outstanding. Time moves only through `advanceTo`, which fires due timers one at a time
 * (settling after each) on a `VirtualTimers` time line that every actor's clock reads. Nothing
 * depends on the wall clock or on thread scheduling, which is what makes a replay repeatable.
 *
 * @example
 * ```ts
 * const graph = await LockstepGraph.start(parseGraphConfig(raw), { baseDir, sources: ['feed-binance'], startMs });
 * await graph.advanceTo(frame.recvWallMs);
 * graph.publish('feed-binance', 'md', tick, topicOf(tick));
 * await graph.settle();
 * await graph.stop();
 * ```
 */
import { isAbsolute, resolve } from 'node:path';
import type { Message } from '../../protocol/index.js';
import type { ActorKind } from '../actor/actor.js';
import { DrivenActorHost } from '../actor/driven-host.js';
import { destinationsOf, hostWiring, loadActor } from './actor-loader.js';
import { createCodec } from '../transport/codec.js';
import { arbiterError } from '../../base/errors.js';
import type { ActorConfig, GraphConfig } from './graph-config.js';
import type { ReloadStats } from '../supervision/reload-port.js';
import { actorLogger } from '../../base/log.js';
import { OutputPort } from '../transport/output-port.js';
import type { SupervisorActorStatus } from '../supervision/supervisor.js';
import { VirtualClock, VirtualTimers } from '../actor/timers.js';
import { DEFAULT_WAIT_OPTIONS, SpinSlots } from '../transport/wait-strategy.js';
import { stopStages } from './stop-order.js';
import { buildWiring, type GraphWiring } from './wiring.js';
import { yieldToEventLoop } from '../../base/async.js';

export interface LockstepOptions {
  /** Module paths in the graph are relative to this directory. */
  baseDir: string;
  /** Actors the driver stands in for: not loaded; `publish` writes their outputs. */
  sources: readonly string[];
  /** Where virtual time starts (epoch ms). */
  startMs: number;
  /** Rounds of stepping without the graph going quiet before settle() gives up (a message loop). */
  maxSettleRounds?: number;
}

interface DrivenActor {
  readonly id: string;
  readonly kind: ActorKind;
  readonly config: ActorConfig;
  readonly host: DrivenActorHost<unknown, unknown>;
}

const NO_RELOADS: ReloadStats = Object.freeze({ succeeded: 0, rolledBack: 0, refused: 0, lastPauseUs: null });
/** Event-loop turns without change after which outstanding async work is taken to wait on virtual time. */
const QUIET_TURNS = 3;

export class LockstepGraph {
  readonly timers: VirtualTimers;
  readonly clock: VirtualClock;
  private readonly sourcePorts = new Map<string, OutputPort>();
  private readonly topicKeys = new Map<OutputPort, Map<string, number>>();
  private actors: DrivenActor[] = [];
  private stopped = false;

  private constructor(
    readonly graph: GraphConfig,
    readonly wiring: GraphWiring,
    private readonly options: LockstepOptions,
  ) {
    this.timers = new VirtualTimers(options.startMs);
    this.clock = new VirtualClock(this.timers);
  }

  /** Loads and starts every non-source actor (in graph order), then settles. */
  static async start(graph: GraphConfig, options: LockstepOptions): Promise<LockstepGraph> {
    const ports = graph.channels.filter((channel) => channel.transport !== 'ring');
    if (ports.length > 0) throw arbiterError('WIRING', `lockstep runs on rings only; channel from ${ports[0]!.from} uses transport ${ports[0]!.transport}`);
    for (const id of options.sources) {
      if (!graph.actors.some((actor) => actor.id === id)) throw arbiterError('WIRING', `lockstep source ${id} is not an actor of the graph`);
    }
    const lockstep = new LockstepGraph(graph, buildWiring(graph), options);
    try {
      await lockstep.load();
      await lockstep.settle();
    } catch (error) {
      await lockstep.stop();
      throw error;
    }
    return lockstep;
  }

  private async load(): Promise<void> {
    const spinSlots = SpinSlots.create(0);
    const codec = createCodec();
    for (const config of this.graph.actors) {
      const spec = this.wiring.actors.get(config.id)!;
      if (this.options.sources.includes(config.id)) {
        for (const output of spec.outputs) this.sourcePorts.set(`${config.id}.${output.name}`, new OutputPort(output.name, output.policy, codec, destinationsOf(output)));
        continue;
      }
      const modulePath = isAbsolute(config.module) ? config.module : resolve(this.options.baseDir, config.module);
      const { definition, params } = await loadActor(config.id, modulePath, config.params ?? {}, spec, config.credentials === true);
      const wiring = hostWiring(spec, definition.outputs ?? [], { spinSlots, wait: { ...DEFAULT_WAIT_OPTIONS, strategy: 'park' }, ownThread: false });
      const host = new DrivenActorHost(config.id, definition, params, wiring, actorLogger(config.id, definition.kind), this.clock, this.timers);
      this.actors.push({ id: config.id, kind: definition.kind, config, host });
      await host.start();
    }
  }

  /** Writes `message` on a source actor's output port, routed by `topic` as that actor would. */
  publish(sourceId: string, port: string, message: Message, topic: string): void {
    const output = this.sourcePorts.get(`${sourceId}.${port}`);
    if (!output) throw arbiterError('WIRING', `lockstep: ${sourceId}.${port} is not a wired output of a source (sources: ${[...this.sourcePorts.keys()].join(', ') || 'none'})`);
    let keys = this.topicKeys.get(output);
    if (!keys) this.topicKeys.set(output, (keys = new Map()));
    let key = keys.get(topic);
    if (key === undefined) keys.set(topic, (key = output.topicKey(topic)));
    output.send(message, key);
  }

  /**
   * Runs every actor until nothing is left to do: no record in a ring and no backlog, and the
   * outstanding async work has stopped moving. Async work in a replay is either microtasks (the
   * local fill model, the synchronous journal) or a wait on virtual time (ctx.after), which only
   * `advanceTo` can end; so once a few event-loop turns pass with nothing handled and the same
   * work outstanding, the graph is quiet until time moves.
   */
  async settle(): Promise<void> {
    const maxRounds = this.options.maxSettleRounds ?? 1_000_000;
    let stillTurns = 0;
    let lastInFlight = -1;
    for (let round = 0; round < maxRounds; round++) {
      let handled = 0;
      for (const port of this.sourcePorts.values()) if (port.hasPending()) port.flush();
      for (let i = 0; i < this.actors.length; i++) handled += this.actors[i]!.host.step();
      if (handled > 0) {
        stillTurns = 0;
        continue;
      }
      if (!this.hasRecords()) {
        const inFlight = this.inFlight();
        if (inFlight === 0) return;
        stillTurns = inFlight === lastInFlight ? stillTurns + 1 : 0;
        lastInFlight = inFlight;
        if (stillTurns >= QUIET_TURNS) return;
      }
      await yieldToEventLoop();
    }
    const busy = this.actors.filter((actor) => actor.host.busy()).map((actor) => `${actor.id} (${actor.host.busyReason()})`);
    throw arbiterError('ACTOR_STATE', `lockstep: the graph did not go quiet within ${maxRounds} rounds; still busy: ${busy.join(', ') || 'none'}`);
  }

  /** Moves virtual time to `ms`, firing every timer due by then in order and settling after each. */
  async advanceTo(ms: number): Promise<void> {
    while (this.timers.fireNext(ms)) await this.settle();
  }

  /** A record in a ring or a backlog, anywhere in the graph. */
  private hasRecords(): boolean {
    for (const port of this.sourcePorts.values()) if (port.hasPending()) return true;
    return this.actors.some((actor) => actor.host.hasWork());
  }

  private inFlight(): number {
    return this.actors.reduce((sum, actor) => sum + actor.host.inFlight(), 0);
  }

  /** Status of every loaded actor, shaped as the supervisor reports it (sources are not included). */
  async status(): Promise<SupervisorActorStatus[]> {
    return this.actors.map(({ id, kind, host }) => ({
      actorId: id,
      kind,
      state: host.lifecycleState === 'running' ? 'running' : host.lifecycleState === 'stopped' ? 'stopped' : 'starting',
      restarts: 0,
      reloads: NO_RELOADS,
      lastError: undefined,
      actor: host.status(),
    }));
  }

  command(actorId: string, name: string, args?: unknown): Promise<unknown> {
    const actor = this.actors.find((a) => a.id === actorId);
    if (!actor) throw arbiterError('WIRING', `lockstep: no actor ${actorId} (actors: ${this.actors.map((a) => a.id).join(', ')})`);
    return actor.host.command(name, args);
  }

  /** Stops the actors stage by stage, in the supervisor's order (stop-order.ts), one at a time. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const stage of stopStages(this.actors, (actor) => actor.config.stopStage)) {
      for (const { host } of stage) await host.stop();
    }
  }
}
