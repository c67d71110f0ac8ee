/**
 * Runs inside each actor's worker thread: exposes the control API over comlink, loads the
 * actor module on request, and turns the wiring spec into live ring/port endpoints.
 */
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { pathToFileURL } from 'node:url';
import { workerData } from 'node:worker_threads';
import { isActorDefinition, isReloadable, type AnyActorDefinition } from './actor.js';
import { ActorHost, type HostWiring } from './actor-host.js';
import { PortSink, PortSource, RingSink, RingSource, type RecordSink, type RecordSource } from './channel.js';
import type { ActorControl, ActorInfo, ActorWorkerData } from './control.js';
import { arbiterError, describeError } from './errors.js';
import { actorLogger } from './log.js';
import type { Destination } from './output-port.js';
import type { ActorWiringSpec, ChannelEnd } from './wiring.js';

const data = workerData as ActorWorkerData;

/** Ports are stateful listeners: create each port endpoint once and reuse it on re-attach. */
const portEnds = new Map<ChannelEnd, RecordSource | RecordSink>();

function source(end: ChannelEnd, doorbell: SharedArrayBuffer): RecordSource {
  if (end.transport === 'ring') return new RingSource(end.ring);
  let existing = portEnds.get(end) as RecordSource | undefined;
  if (!existing) portEnds.set(end, (existing = new PortSource(end.port, doorbell)));
  return existing;
}

function sink(end: ChannelEnd, doorbell: SharedArrayBuffer): RecordSink {
  if (end.transport === 'ring') return new RingSink(end.ring, doorbell);
  let existing = portEnds.get(end) as RecordSink | undefined;
  if (!existing) portEnds.set(end, (existing = new PortSink(end.port)));
  return existing;
}

/** The wiring, plus an empty output for each declared port nobody reads (sends there go nowhere). */
function hostWiring(spec: ActorWiringSpec, declaredOutputs: readonly string[]): HostWiring {
  const unwired = declaredOutputs.filter((name) => !spec.outputs.some((output) => output.name === name));
  return {
    doorbell: spec.doorbell,
    ownThread: true,
    spinSlots: data.spinSlots,
    wait: data.wait,
    inputs: spec.inputs.map((input) => ({
      name: input.name,
      conflate: input.conflate,
      validation: input.validation,
      origins: input.channels.map(({ from }) => from.slice(0, from.indexOf('.'))),
      attach: () => input.channels.map(({ end }) => source(end, spec.doorbell)),
    })),
    outputs: [
      ...spec.outputs.map((output) => ({
        name: output.name,
        policy: output.policy,
        attach: (): Destination[] =>
          output.destinations.map((d) => ({ target: d.target, patterns: d.patterns, sink: sink(d.end, d.doorbell) })),
      })),
      ...unwired.map((name) => ({ name, policy: 'lossless' as const, attach: (): Destination[] => [] })),
    ],
  };
}

function checkPorts(definition: AnyActorDefinition, spec: ActorWiringSpec): void {
  const check = (wired: string[], declared: readonly string[] | undefined, direction: string): void => {
    if (!declared) return;
    const unknown = wired.filter((port) => !declared.includes(port));
    if (unknown.length > 0) {
      throw arbiterError('WIRING', `actor ${data.actorId}: ${direction} port(s) ${unknown.join(', ')} are wired but the module declares ${declared.join(', ') || 'none'}`);
    }
  };
  check(spec.inputs.map((i) => i.name), definition.inputs, 'input');
  check(spec.outputs.map((o) => o.name), definition.outputs, 'output');
}

let host: ActorHost<unknown, unknown> | undefined;

function loaded(): ActorHost<unknown, unknown> {
  if (!host) throw arbiterError('ACTOR_STATE', `actor ${data.actorId}: not loaded`);
  return host;
}

async function load(): Promise<ActorInfo> {
  let module: { default?: unknown };
  try {
    module = (await import(pathToFileURL(data.modulePath).href)) as { default?: unknown };
  } catch (error) {
    throw arbiterError('ACTOR_MODULE', `actor ${data.actorId}: cannot load ${data.modulePath}: ${describeError(error)}`, { cause: error });
  }
  const definition = module.default;
  if (!isActorDefinition(definition)) {
    throw arbiterError('ACTOR_MODULE', `actor ${data.actorId}: ${data.modulePath} must default-export defineActor({...})`);
  }
  if (data.credentialed && definition.kind !== 'execution') {
    throw arbiterError('WIRING', `actor ${data.actorId}: only the execution actor may receive credentials, this module is a ${definition.kind}`);
  }
  checkPorts(definition, data.wiring);
  let params: unknown = data.params;
  try {
    if (definition.params) params = definition.params(data.params);
  } catch (error) {
    throw arbiterError('CONFIG_INVALID', `actor ${data.actorId}: params: ${describeError(error)}`, { cause: error });
  }
  const log = actorLogger(data.actorId, definition.kind);
  host = new ActorHost(data.actorId, definition, params, hostWiring(data.wiring, definition.outputs ?? []), log);
  return {
    actorId: data.actorId,
    kind: definition.kind,
    version: definition.version,
    reloadable: isReloadable(definition),
    inputs: data.wiring.inputs.map((i) => i.name),
    outputs: data.wiring.outputs.map((o) => o.name),
  };
}

const control: ActorControl = {
  load,
  start: (options) => loaded().start(options),
  pause: () => loaded().pause(),
  pauseForHandover: async () => {
    await loaded().pause();
    return loaded().handover();
  },
  handover: async () => loaded().handover(),
  resume: async (options) => loaded().resume(options),
  snapshot: async () => loaded().snapshot(),
  status: async () => loaded().status(),
  stop: () => loaded().stop(),
  command: (name, args) => loaded().command(name, args),
};

Comlink.expose(control, nodeEndpoint(data.control));
