/**
 * Builds the shared memory of an actor graph: one ring per (writer port → reader port) pair,
 * one doorbell per actor, and the per-actor wiring specs that travel to workers in workerData.
 * Everything here is structured-cloneable (SharedArrayBuffers are shared, not copied), so a
 * restarted or reloaded worker receives the very same rings and resumes at their cursors.
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { ChannelPolicy } from '../transport/channel.js';
import type { DecodeValidation } from '../transport/codec.js';
import { createDoorbell } from '../transport/doorbell.js';
import { splitEndpoint, type GraphConfig } from './graph-config.js';
import { createRing } from '../transport/ring.js';

export type ChannelEnd = { transport: 'ring'; ring: SharedArrayBuffer } | { transport: 'port'; port: MessagePort };

export interface InputSpec {
  name: string;
  conflate: boolean;
  validation: DecodeValidation;
  channels: { from: string; end: ChannelEnd }[];
}

export interface OutputSpec {
  name: string;
  policy: ChannelPolicy;
  destinations: { target: string; patterns: string[]; end: ChannelEnd; doorbell: SharedArrayBuffer }[];
}

export interface ActorWiringSpec {
  inputs: InputSpec[];
  outputs: OutputSpec[];
  doorbell: SharedArrayBuffer;
  /** Whether every channel of this actor is a ring (port channels cannot survive a restart). */
  restartable: boolean;
}

export interface RingEdge {
  from: string;
  to: string;
  policy: ChannelPolicy;
  ring: SharedArrayBuffer;
}

export interface GraphWiring {
  actors: Map<string, ActorWiringSpec>;
  rings: RingEdge[];
}

export function buildWiring(graph: GraphConfig): GraphWiring {
  const actors = new Map<string, ActorWiringSpec>(
    graph.actors.map((actor) => [actor.id, { inputs: [], outputs: [], doorbell: createDoorbell(), restartable: true }]),
  );
  const rings: RingEdge[] = [];
  for (const channel of graph.channels) {
    const from = splitEndpoint(channel.from);
    const writer = actors.get(from.actor)!;
    const output = getOrAdd(writer.outputs, from.port, () => ({ name: from.port, policy: channel.policy, destinations: [] }));
    for (const target of channel.to) {
      const to = typeof target === 'string' ? target : target.endpoint;
      const patterns = typeof target === 'string' ? [] : target.topics;
      const { actor: readerId, port } = splitEndpoint(to);
      const reader = actors.get(readerId)!;
      const [writerEnd, readerEnd] = channelEnds(channel.transport, channel.capacityBytes);
      if (writerEnd.transport === 'ring') rings.push({ from: channel.from, to, policy: channel.policy, ring: writerEnd.ring });
      else writer.restartable = reader.restartable = false;
      output.destinations.push({ target: to, patterns, end: writerEnd, doorbell: reader.doorbell });
      const input = getOrAdd(reader.inputs, port, () => ({
        name: port,
        conflate: channel.policy === 'conflate',
        validation: channel.validation ?? (channel.policy === 'conflate' ? 'type' : 'full'),
        channels: [],
      }));
      input.channels.push({ from: channel.from, end: readerEnd });
    }
  }
  return { actors, rings };
}

function channelEnds(transport: 'ring' | 'port', capacityBytes: number): [ChannelEnd, ChannelEnd] {
  if (transport === 'ring') {
    const ring = createRing(capacityBytes);
    return [{ transport: 'ring', ring }, { transport: 'ring', ring }];
  }
  const { port1, port2 } = new MessageChannel();
  return [{ transport: 'port', port: port1 }, { transport: 'port', port: port2 }];
}

function getOrAdd<T extends { name: string }>(list: T[], name: string, make: () => T): T {
  let item = list.find((entry) => entry.name === name);
  if (!item) {
    item = make();
    list.push(item);
  }
  return item;
}

/** MessagePorts inside a spec, which must be listed in the Worker's transferList. */
export function transferablePorts(spec: ActorWiringSpec): MessagePort[] {
  const ports: MessagePort[] = [];
  for (const input of spec.inputs) for (const { end } of input.channels) if (end.transport === 'port') ports.push(end.port);
  for (const output of spec.outputs) for (const { end } of output.destinations) if (end.transport === 'port') ports.push(end.port);
  return ports;
}
