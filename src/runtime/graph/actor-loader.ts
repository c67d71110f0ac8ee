/**
 * Turning a wiring spec and a module path into what an `ActorHost` needs. Shared by the worker
 * entry (one actor per worker thread) and the lockstep driver (replay: every actor in one
 * thread), so an actor is loaded, checked and wired the same way wherever it runs.
 */
import { pathToFileURL } from 'node:url';
import { isActorDefinition, type AnyActorDefinition } from '../actor/actor.js';
import type { HostWiring } from '../actor/actor-host.js';
import { PortSink, PortSource, RingSink, RingSource, type RecordSink, type RecordSource } from '../transport/channel.js';
import { arbiterError, describeError } from '../../base/errors.js';
import type { Destination } from '../transport/output-port.js';
import type { WaitOptions } from '../transport/wait-strategy.js';
import type { ActorWiringSpec, ChannelEnd } from './wiring.js';

/** Ports are stateful listeners: each port endpoint is created once and reused on re-attach. */
export type PortEndCache = Map<ChannelEnd, RecordSource | RecordSink>;

function source(end: ChannelEnd, doorbell: SharedArrayBuffer, cache: PortEndCache): RecordSource {
  if (end.transport === 'ring') return new RingSource(end.ring);
  let existing = cache.get(end) as RecordSource | undefined;
  if (!existing) cache.set(end, (existing = new PortSource(end.port, doorbell)));
  return existing;
}

function sink(end: ChannelEnd, doorbell: SharedArrayBuffer, cache: PortEndCache): RecordSink {
  if (end.transport === 'ring') return new RingSink(end.ring, doorbell);
  let existing = cache.get(end) as RecordSink | undefined;
  if (!existing) cache.set(end, (existing = new PortSink(end.port)));
  return existing;
}

/** The destinations of one wired output port, as an OutputPort takes them. */
export function destinationsOf(output: ActorWiringSpec['outputs'][number], cache: PortEndCache = new Map()): Destination[] {
  return output.destinations.map((d) => ({ target: d.target, patterns: d.patterns, sink: sink(d.end, d.doorbell, cache) }));
}

export interface HostWiringOptions {
  spinSlots: SharedArrayBuffer;
  wait: WaitOptions;
  ownThread: boolean;
  cache?: PortEndCache;
}

/** The wiring, plus an empty output for each declared port nobody reads (sends there go nowhere). */
export function hostWiring(spec: ActorWiringSpec, declaredOutputs: readonly string[], options: HostWiringOptions): HostWiring {
  const cache = options.cache ?? new Map();
  const unwired = declaredOutputs.filter((name) => !spec.outputs.some((output) => output.name === name));
  return {
    doorbell: spec.doorbell,
    ownThread: options.ownThread,
    spinSlots: options.spinSlots,
    wait: options.wait,
    inputs: spec.inputs.map((input) => ({
      name: input.name,
      conflate: input.conflate,
      validation: input.validation,
      origins: input.channels.map(({ from }) => from.slice(0, from.indexOf('.'))),
      attach: () => input.channels.map(({ end }) => source(end, spec.doorbell, cache)),
    })),
    outputs: [
      ...spec.outputs.map((output) => ({ name: output.name, policy: output.policy, attach: (): Destination[] => destinationsOf(output, cache) })),
      ...unwired.map((name) => ({ name, policy: 'lossless' as const, attach: (): Destination[] => [] })),
    ],
  };
}

function checkPorts(actorId: string, definition: AnyActorDefinition, spec: ActorWiringSpec): void {
  const check = (wired: string[], declared: readonly string[] | undefined, direction: string): void => {
    if (!declared) return;
    const unknown = wired.filter((port) => !declared.includes(port));
    if (unknown.length > 0) {
      throw arbiterError('WIRING', `actor ${actorId}: ${direction} port(s) ${unknown.join(', ')} are wired but the module declares ${declared.join(', ') || 'none'}`);
    }
  };
  check(spec.inputs.map((i) => i.name), definition.inputs, 'input');
  check(spec.outputs.map((o) => o.name), definition.outputs, 'output');
}

export interface LoadedActor {
  definition: AnyActorDefinition;
  params: unknown;
}

/**
 * Imports an actor module and checks what needs no wiring: it must default-export
 * `defineActor(...)`, and only a module that declares `credentials: true` may be credentialed.
 * The start-up pre-flight runs this on the main thread, the worker again when it loads.
 */
export async function importActor(actorId: string, modulePath: string, credentialed: boolean): Promise<AnyActorDefinition> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(modulePath).href)) as { default?: unknown };
  } catch (error) {
    throw arbiterError('ACTOR_MODULE', `actor ${actorId}: cannot load ${modulePath}: ${describeError(error)}`, { cause: error });
  }
  const definition = module.default;
  if (!isActorDefinition(definition)) {
    throw arbiterError('ACTOR_MODULE', `actor ${actorId}: ${modulePath} must default-export defineActor({...})`);
  }
  if (credentialed && definition.credentials !== true) {
    throw arbiterError('WIRING', `actor ${actorId}: the graph gives it credentials, but ${modulePath} does not declare credentials: true (only a module that takes credentials may receive them)`);
  }
  return definition;
}

/** The actor's params as its module parses them; CONFIG_INVALID naming the actor when they do not. */
export function parseActorParams(actorId: string, definition: AnyActorDefinition, rawParams: unknown): unknown {
  try {
    return definition.params ? definition.params(rawParams) : rawParams;
  } catch (error) {
    throw arbiterError('CONFIG_INVALID', `actor ${actorId}: params: ${describeError(error)}`, { cause: error });
  }
}

/**
 * Imports an actor module and checks it against its wiring: `importActor`'s checks, every wired
 * port must be declared, and its params must parse. Each failure names the actor and what was wrong.
 */
export async function loadActor(actorId: string, modulePath: string, rawParams: unknown, spec: ActorWiringSpec, credentialed: boolean): Promise<LoadedActor> {
  const definition = await importActor(actorId, modulePath, credentialed);
  checkPorts(actorId, definition, spec);
  return { definition, params: parseActorParams(actorId, definition, rawParams) };
}
