/**
 * `hop`: one producer → one consumer on two worker threads. Throughput (a one-way stream of
 * msgpack ticks) and ping-pong round trip (one tick in flight, echoed back), for our ring
 * under each wait strategy against MessagePort postMessage, comlink calls and a piscina
 * pool's task round trip. Every transport carries the same codec-encoded BookTop.
 */
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import { createDoorbell } from '../src/runtime/transport/doorbell.js';
import { createRing } from '../src/runtime/transport/ring.js';
import { DEFAULT_WAIT_OPTIONS, SpinSlots, WAIT_STRATEGIES, type WaitStrategyName } from '../src/runtime/transport/wait-strategy.js';
import { decodeHistogram } from './lib/histogram.js';
import type { Measurement } from './lib/rows.js';
import { scaled, type BenchSuite, type SuiteOptions } from './lib/suite.js';
import { runStep, startBenchWorker, type StepPart } from './lib/workers.js';
import { STREAM_SAMPLE_EVERY, type HopCase, type HopMode, type HopResult, type HopTransport, type HopWorkerData } from './workers/hop-protocol.js';

const WORKER = new URL('./workers/hop-worker.ts', import.meta.url);
/** ~2k ticks in flight at most on every transport (a tick record is ~100 bytes). */
const WINDOW = 2048;
const RING_BYTES = 256 * 1024;

const TRANSPORT_LABEL: Record<HopTransport, string> = { ring: 'ring', port: 'postMessage', comlink: 'comlink', piscina: 'piscina' };

interface Case {
  hop: HopCase;
  wait?: WaitStrategyName;
  /** Both ends park as actors that own I/O do: through the event loop, never blocking. */
  ownsIo?: boolean;
}

const waitLabel = ({ wait, ownsIo }: Case): string | undefined => (wait && ownsIo ? `${wait} · owns I/O` : wait);

function cases(options: SuiteOptions): Case[] {
  const timing = { warmupMs: scaled(options, 300, 40), durationMs: scaled(options, 2_000, 150), window: WINDOW };
  const list: Case[] = [];
  for (const mode of ['throughput', 'round-trip'] as HopMode[]) {
    for (const wait of WAIT_STRATEGIES) list.push({ hop: { transport: 'ring', mode, ...timing }, wait });
    if (mode === 'round-trip') list.push({ hop: { transport: 'ring', mode, ...timing }, wait: 'spin-then-park', ownsIo: true });
    for (const transport of ['port', 'comlink', 'piscina'] as HopTransport[]) list.push({ hop: { transport, mode, ...timing } });
  }
  return list;
}

/** Runs one case on the sender/receiver pair (piscina brings its own receiver thread). */
export async function runCase(pair: readonly [Worker, Worker], { hop, wait, ownsIo }: Case): Promise<HopResult> {
  const { port1, port2 } = new MessageChannel();
  const shared = {
    hop,
    wait: { ...DEFAULT_WAIT_OPTIONS, strategy: wait ?? DEFAULT_WAIT_OPTIONS.strategy, ownsIo: ownsIo === true },
    spinSlots: SpinSlots.create(),
    rings: { forward: createRing(RING_BYTES), back: createRing(RING_BYTES), senderBell: createDoorbell(), receiverBell: createDoorbell() },
    flow: new SharedArrayBuffer(128),
  };
  const part = (index: 0 | 1, port: MessagePort): StepPart<HopWorkerData> => ({
    worker: pair[index],
    data: { ...shared, role: index === 0 ? 'sender' : 'receiver', port },
    transferList: [port],
  });
  const [sent, received] = await runStep<HopWorkerData, HopResult>([part(0, port1), part(1, port2)]);
  // The receiver measures a one-way stream; the sender measures calls and round trips.
  const oneWay = hop.mode === 'throughput' && (hop.transport === 'ring' || hop.transport === 'port');
  const result = oneWay ? received : sent;
  if (!result) throw new Error(`hop ${hop.transport} ${hop.mode}: the measuring side reported nothing`);
  return result;
}

function noteFor(hop: HopCase): string {
  if (hop.mode === 'round-trip') return 'one tick in flight; latency = send → echo received (decode + re-encode on the far side)';
  if (hop.transport === 'ring' || hop.transport === 'port') return `one-way stream, ≤${WINDOW} in flight; latency = ts → decoded, 1 tick in ${STREAM_SAMPLE_EVERY} (includes queueing)`;
  return `calls with ≤${WINDOW} in flight; latency = call → reply (includes queueing)`;
}

async function run(options: SuiteOptions): Promise<Measurement[]> {
  const pair = [startBenchWorker(WORKER), startBenchWorker(WORKER)] as const;
  try {
    const results: Measurement[] = [];
    for (const item of cases(options)) {
      const result = await runCase(pair, item);
      const { hop } = item;
      const wait = waitLabel(item);
      results.push({
        variant: hop.mode,
        transport: TRANSPORT_LABEL[hop.transport],
        messages: result.messages,
        elapsedNs: result.elapsedNs,
        histogram: decodeHistogram(result.histogram),
        threads: 2,
        ...(wait ? { waitStrategy: wait } : {}),
        note: noteFor(hop),
      });
      options.log(`hop: ${hop.mode} ${TRANSPORT_LABEL[hop.transport]}${wait ? ` (${wait})` : ''}: ${Math.round((result.messages * 1e9) / result.elapsedNs)} msgs/s`);
    }
    return results;
  } finally {
    await Promise.all(pair.map((worker) => worker.terminate()));
  }
}

export const hopSuite: BenchSuite = {
  name: 'hop',
  summary: 'one producer → one consumer on two workers: ring (each wait strategy) vs postMessage, comlink, piscina',
  run,
};
