/**
 * The hop suite's message-based peers: MessagePort postMessage (one-way stream and echo),
 * comlink calls, and a piscina pool's task round trip. Calls (comlink, piscina) are measured
 * from the caller: a call's latency is its completion, and throughput is completed calls
 * with up to `window` in flight. A round trip is the same with a window of one.
 */
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { MessageOf } from '../../src/protocol/index.js';
import type { Codec } from '../../src/runtime/transport/codec.js';
import { echoTick } from './echo.js';
import { END_SEQ, LatencyMeter, STREAM_SAMPLE_EVERY, TickStream, type HopResult, type HopWorkerData } from './hop-protocol.js';

type Tick = MessageOf<'BookTop'>;
type Call = (bytes: Uint8Array) => Promise<Uint8Array>;

function portOf(data: HopWorkerData): MessagePort {
  if (!data.port) throw new Error(`hop ${data.hop.transport}: no MessagePort in workerData`);
  return data.port;
}

/** One-way stream; the receiver's progress in `flow` bounds what is in flight. */
export function portSend(data: HopWorkerData, codec: Codec): undefined {
  const port = portOf(data);
  const taken = new Int32Array(data.flow);
  const stream = new TickStream(codec, data.hop);
  let sent = 0;
  while (!stream.ended) {
    const bytes = stream.next();
    for (let seen = Atomics.load(taken, 0); sent - seen >= data.hop.window; seen = Atomics.load(taken, 0)) Atomics.wait(taken, 0, seen, 1);
    // Copy: the codec's view is reused, and cloning a view would copy its whole buffer.
    port.postMessage(bytes.slice());
    sent++;
  }
  return undefined;
}

export function portReceive(data: HopWorkerData, codec: Codec): Promise<HopResult> {
  const port = portOf(data);
  const taken = new Int32Array(data.flow);
  const meter = new LatencyMeter(STREAM_SAMPLE_EVERY);
  let count = 0;
  return new Promise((resolve) => {
    port.on('message', (bytes: Uint8Array) => {
      const tick = codec.decode(bytes, 0, bytes.length) as Tick;
      Atomics.store(taken, 0, ++count);
      if ((count & 255) === 0) Atomics.notify(taken, 0);
      if (!meter.observe(tick.ts, tick.venueSeq)) {
        port.close();
        resolve(meter.result());
      }
    });
  });
}

/** A port as a call: post, and the next message back is the reply (replies come in order). */
function portCall(port: MessagePort): Call {
  const pending: ((bytes: Uint8Array) => void)[] = [];
  let head = 0;
  port.on('message', (bytes: Uint8Array) => {
    const resolve = pending[head++]!;
    if (head === pending.length) pending.length = head = 0;
    resolve(bytes);
  });
  return (bytes) => new Promise((resolve) => {
    pending.push(resolve);
    port.postMessage(bytes);
  });
}

/** Echoes on a port until the end marker (the postMessage round-trip responder). */
export function portEcho(data: HopWorkerData, codec: Codec): Promise<undefined> {
  const port = portOf(data);
  return new Promise((resolve) => {
    port.on('message', (bytes: Uint8Array) => {
      const tick = codec.decode(bytes, 0, bytes.length) as Tick;
      port.postMessage(codec.encode(tick).slice());
      if (tick.venueSeq === END_SEQ) resolve(undefined);
    });
  });
}

export interface EchoApi {
  echo(bytes: Uint8Array): Uint8Array;
}

/** comlink responder: serves `echo` on this step's port from now on (the step itself is done at once). */
export function comlinkServe(data: HopWorkerData): undefined {
  Comlink.expose({ echo: echoTick } satisfies EchoApi, nodeEndpoint(portOf(data)));
  return undefined;
}

/** Issues calls with up to `window` in flight and meters each reply. */
async function callStream(call: Call, data: HopWorkerData, codec: Codec): Promise<HopResult> {
  const window = data.hop.mode === 'round-trip' ? 1 : data.hop.window;
  const stream = new TickStream(codec, data.hop);
  const meter = new LatencyMeter();
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const onReply = (bytes: Uint8Array): void => {
    const tick = codec.decode(bytes, 0, bytes.length) as Tick;
    meter.observe(tick.ts, tick.venueSeq);
    inFlight--;
    wake?.();
  };
  const slotFree = (): Promise<void> => new Promise((resolve) => (wake = resolve));
  while (!stream.ended) {
    while (inFlight >= window) await slotFree();
    inFlight++;
    void call(stream.next().slice()).then(onReply);
  }
  while (inFlight > 0) await slotFree();
  return meter.result();
}

export function portPing(data: HopWorkerData, codec: Codec): Promise<HopResult> {
  return callStream(portCall(portOf(data)), data, codec);
}

export function comlinkCall(data: HopWorkerData, codec: Codec): Promise<HopResult> {
  const remote = Comlink.wrap<EchoApi>(nodeEndpoint(portOf(data)));
  return callStream((bytes) => remote.echo(bytes), data, codec);
}

/** A one-thread piscina pool; the first task (before `ready`) loads the pool's thread. */
export async function piscinaPool(codec: Codec, sample: Uint8Array): Promise<Piscina> {
  const pool = new Piscina({ filename: new URL('./piscina-task.mjs', import.meta.url).href, minThreads: 1, maxThreads: 1 });
  const echoed = (await pool.run(sample)) as Uint8Array;
  codec.decode(echoed, 0, echoed.length);
  return pool;
}

export function piscinaCall(pool: Piscina, data: HopWorkerData, codec: Codec): Promise<HopResult> {
  return callStream((bytes) => pool.run(bytes) as Promise<Uint8Array>, data, codec);
}
