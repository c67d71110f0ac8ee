/**
 * Runs inside each actor's worker thread: exposes the control API over comlink, loads the
 * actor module on request, and turns the wiring spec into live ring/port endpoints.
 */
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { workerData } from 'node:worker_threads';
import { allowsReload } from '../actor/actor.js';
import { ActorHost } from '../actor/actor-host.js';
import { hostWiring, loadActor, type PortEndCache } from '../graph/actor-loader.js';
import type { ActorControl, ActorInfo, ActorWorkerData } from './control.js';
import { arbiterError } from '../../base/errors.js';
import { actorLogger } from '../../base/log.js';

const data = workerData as ActorWorkerData;

/** Port endpoints of this worker, reused when the host re-attaches. */
const portEnds: PortEndCache = new Map();

let host: ActorHost<unknown, unknown> | undefined;

function loaded(): ActorHost<unknown, unknown> {
  if (!host) throw arbiterError('ACTOR_STATE', `actor ${data.actorId}: not loaded`);
  return host;
}

async function load(): Promise<ActorInfo> {
  const { definition, params } = await loadActor(data.actorId, data.modulePath, data.params, data.wiring, data.credentialed);
  const log = actorLogger(data.actorId, definition.kind);
  const wiring = hostWiring(data.wiring, definition.outputs ?? [], { spinSlots: data.spinSlots, wait: data.wait, ownThread: true, cache: portEnds });
  host = new ActorHost(data.actorId, definition, params, wiring, log);
  return {
    actorId: data.actorId,
    kind: definition.kind,
    version: definition.version,
    allowsReload: allowsReload(definition),
    inputs: data.wiring.inputs.map((i) => i.name),
    outputs: data.wiring.outputs.map((o) => o.name),
  };
}

const control: ActorControl = {
  load,
  start: (options) => loaded().start(options),
  pause: () => loaded().pause(),
  pauseForHandover: async (forVersion) => {
    await loaded().pause();
    return loaded().handover(forVersion);
  },
  handover: async (forVersion) => loaded().handover(forVersion),
  resume: async (options) => loaded().resume(options),
  snapshot: async () => loaded().snapshot(),
  status: async () => loaded().status(),
  stop: () => loaded().stop(),
  command: (name, args) => loaded().command(name, args),
};

Comlink.expose(control, nodeEndpoint(data.control));
