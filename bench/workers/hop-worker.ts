/**
 * Entry of the hop suite's worker threads. For each step the main thread sends, the worker
 * plays one side (sender or receiver) of one transport: it prepares, reports `ready`, runs
 * on `go`, and reports `done` (the measuring side with its latency histogram and span).
 */
import { parentPort } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import { createCodec } from '../../src/runtime/transport/codec.js';
import { comlinkCall, comlinkServe, piscinaCall, piscinaPool, portEcho, portPing, portReceive, portSend } from './hop-messaging.js';
import { TickStream, type HopResult, type HopWorkerData } from './hop-protocol.js';
import { ringPing, ringPong, ringReceive, ringSend } from './hop-ring.js';

type Run = () => HopResult | undefined | Promise<HopResult | undefined>;

const codec = createCodec();
/** One pool for every piscina step: its thread costs a tsx start. */
let pool: Promise<Piscina> | undefined;

function prepare(data: HopWorkerData): Run | Promise<Run> {
  const { transport, mode } = data.hop;
  const sender = data.role === 'sender';
  const roundTrip = mode === 'round-trip';
  switch (transport) {
    case 'ring':
      if (roundTrip) return sender ? () => ringPing(data, codec) : () => ringPong(data, codec);
      return sender ? () => ringSend(data, codec) : () => ringReceive(data, codec);
    case 'port':
      if (roundTrip) return sender ? () => portPing(data, codec) : () => portEcho(data, codec);
      return sender ? () => portSend(data, codec) : () => portReceive(data, codec);
    case 'comlink':
      return sender ? () => comlinkCall(data, codec) : () => comlinkServe(data);
    case 'piscina':
      // The pool's thread is the receiver; start and warm it before reporting ready.
      if (!sender) return () => undefined;
      pool ??= piscinaPool(codec, new TickStream(codec, data.hop).next().slice());
      return pool.then((ready) => () => piscinaCall(ready, data, codec));
  }
}

function nextMessage(type: string): Promise<{ type: string; data?: HopWorkerData }> {
  return new Promise((resolve) => {
    const onMessage = (message: { type: string; data?: HopWorkerData }): void => {
      if (message.type !== type) return;
      parentPort!.off('message', onMessage);
      resolve(message);
    };
    parentPort!.on('message', onMessage);
  });
}

async function serve(): Promise<never> {
  const port = parentPort!;
  for (;;) {
    const { data } = await nextMessage('step');
    const run = await prepare(data!);
    const go = nextMessage('go');
    port.postMessage({ type: 'ready' });
    await go;
    port.postMessage({ type: 'done', result: await run() });
  }
}

// Atomics.waitAsync does not keep a thread's event loop alive; a parked receiver needs this.
setInterval(() => {}, 1 << 30);
void serve();
