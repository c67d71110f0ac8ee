/**
 * `pipeline`: the real actor graph under the real Supervisor — synthetic feed → strategy
 * (decodes the tick, emits a SubmitOrder) → execution (pre-trade risk check) — with latency
 * from the feed's ingress stamp to the execution actor's decision. The same three actors run
 * on shared-memory rings and over postMessage (`transport: 'port'`), paced at 10k and 100k
 * ticks/s and saturated, never more than WINDOW ticks in flight (see synthetic-feed.ts). One graph per wiring runs
 * every load in turn, each after the previous one has drained.
 *
 * Port graphs use the `park` wait strategy: a postMessage arrives through the event loop,
 * which a spinning reader starves, so spinning could only make the port numbers worse.
 *
 * Execution owns I/O in the product (its venue sockets), so it parks through its event loop
 * (`ownsIo`); one more wiring runs it as a compute actor whose park may block its thread
 * (`… · exec blocks`), the rule before issue 17, so the cost of never blocking is measured in
 * the same invocation.
 */
import type { TransportName } from '../src/runtime/transport/channel.js';
import type { WaitStrategyName } from '../src/runtime/transport/wait-strategy.js';
import type { PhaseReport } from './actors/latency-recorder.js';
import { BENCH_ACTORS, createControl, graphMeasurements, phasePlan, runBenchGraph, timeoutFor, type Load } from './lib/graphs.js';
import type { Measurement } from './lib/rows.js';
import { scaled, type BenchSuite, type SuiteOptions } from './lib/suite.js';

const WINDOW = 1024;
const FIRST_HOP = ' · first hop';
const RING_BYTES = 256 * 1024;

export interface Wiring {
  transport: TransportName;
  wait: WaitStrategyName;
  /** Execution may block its thread when parked (a compute actor): only to compare. */
  executionBlocks?: boolean;
}

export const TRANSPORT_LABEL: Record<TransportName, string> = { ring: 'ring', port: 'postMessage' };

/** The default first; busy-spin and park bracket it, so the default's trade-off is visible. */
const WIRINGS: readonly Wiring[] = [
  { transport: 'ring', wait: 'spin-then-park' },
  { transport: 'ring', wait: 'spin-then-park', executionBlocks: true },
  { transport: 'ring', wait: 'busy-spin' },
  { transport: 'ring', wait: 'park' },
  { transport: 'port', wait: 'park' },
];

const waitLabel = (wiring: Wiring): string => (wiring.executionBlocks ? `${wiring.wait} · exec blocks` : wiring.wait);

/** `seconds` of ticks at `rate` per second. */
export function paced(options: SuiteOptions, rate: number, seconds: number): Load {
  return { label: `paced ${rate / 1000}k/s`, ratePerSecond: rate, count: Math.round(rate * scaled(options, seconds, 0.15)) };
}

function loads(options: SuiteOptions): Load[] {
  return [paced(options, 10_000, 2), paced(options, 100_000, 1.5), { label: 'saturated', ratePerSecond: 0, count: scaled(options, 200_000, 10_000) }];
}

async function runWiring(options: SuiteOptions, wiring: Wiring): Promise<Measurement[]> {
  const control = createControl();
  const plan = phasePlan({ ratePerSecond: 0, count: scaled(options, 30_000, 2_000) }, loads(options));
  const channel = { transport: wiring.transport, capacityBytes: RING_BYTES };
  const reports = await runBenchGraph({
    graph: {
      actors: [
        { id: 'feed', module: BENCH_ACTORS.feed, params: { control, consumers: 1, phases: plan.phases, window: WINDOW } },
        { id: 'strategy', module: BENCH_ACTORS.strategy, params: { strategyId: 'bench', control, cell: 1, phases: plan.recorderPhases } },
        { id: 'execution', module: BENCH_ACTORS.execution, params: { control, cell: 0, phases: plan.recorderPhases }, ownsIo: wiring.executionBlocks !== true },
      ],
      channels: [
        { from: 'feed.md', to: ['strategy.md'], ...channel },
        { from: 'strategy.intents', to: ['execution.intents'], ...channel },
      ],
      defaults: { wait: { strategy: wiring.wait } },
    },
    control,
    recorders: [{ actorId: 'execution', cell: 0 }, { actorId: 'strategy', cell: 1 }],
    total: plan.total,
    timeoutMs: timeoutFor(plan.phases),
  });
  const [decisions, firstHop] = reports as [PhaseReport[], PhaseReport[]];
  const fields = (load: Load, hop: string, threads: number) => ({
    variant: `${load.label}${hop}`,
    transport: TRANSPORT_LABEL[wiring.transport],
    threads,
    waitStrategy: waitLabel(wiring),
    note: `latency = tick ingress → ${hop ? 'decoded by the strategy' : 'risk decision in execution'}; ≤${WINDOW} ticks in flight${load.ratePerSecond > 0 ? '' : ' (closed loop: includes queueing; 1 tick in 8 timed)'}`,
  });
  // The first hop alone (feed → strategy) tells how the two hops share the latency.
  return [
    ...graphMeasurements([decisions], loads(options), (load) => fields(load, '', 3)),
    ...graphMeasurements([firstHop], loads(options), (load) => fields(load, FIRST_HOP, 3)),
  ];
}

async function run(options: SuiteOptions): Promise<Measurement[]> {
  const order = loads(options).flatMap((load) => [load.label, `${load.label}${FIRST_HOP}`]);
  const results: Measurement[] = [];
  for (const wiring of WIRINGS) {
    const rows = await runWiring(options, wiring);
    results.push(...rows);
    for (const row of rows) options.log(`pipeline: ${row.variant} ${wiring.transport}/${waitLabel(wiring)}: p50 ${row.histogram.getValueAtPercentile(50) / 1e3} µs`);
  }
  // Rows grouped by load, transports side by side.
  return results.sort((a, b) => order.indexOf(a.variant) - order.indexOf(b.variant));
}

export const pipelineSuite: BenchSuite = {
  name: 'pipeline',
  summary: 'feed → strategy → execution (risk check) under the Supervisor, on rings and over postMessage',
  run,
};
