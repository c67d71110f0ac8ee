/**
 * `fanout`: one feed to 1, 2 and 4 strategies. The ring encodes each tick once and copies
 * the bytes into one ring per reader; postMessage clones per reader. Each strategy decodes
 * and records the tick's latency from its ingress stamp; msgs/s counts ticks that reached
 * every reader. With 4 readers, 5 actor threads share 2 cores: the tail is the scheduler's.
 */
import { BENCH_ACTORS, createControl, graphMeasurements, phasePlan, runBenchGraph, timeoutFor, type Load } from './lib/graphs.js';
import type { Measurement } from './lib/rows.js';
import { scaled, type BenchSuite, type SuiteOptions } from './lib/suite.js';
import { paced, TRANSPORT_LABEL, type Wiring } from './pipeline.js';

const FANOUTS = [1, 2, 4];
const WINDOW = 1024;
const RING_BYTES = 256 * 1024;
const WIRINGS: readonly Wiring[] = [
  { transport: 'ring', wait: 'spin-then-park' },
  { transport: 'port', wait: 'park' },
];

function loads(options: SuiteOptions): Load[] {
  return [paced(options, 10_000, 1.5), { label: 'saturated', ratePerSecond: 0, count: scaled(options, 150_000, 5_000) }];
}

async function runOne(options: SuiteOptions, readers: number, wiring: Wiring): Promise<Measurement[]> {
  const control = createControl();
  const plan = phasePlan({ ratePerSecond: 0, count: scaled(options, 20_000, 1_000) }, loads(options));
  const strategies = Array.from({ length: readers }, (_, cell) => ({
    id: `strategy-${cell}`,
    module: BENCH_ACTORS.strategy,
    params: { strategyId: `s${cell}`, emit: false, control, cell, phases: plan.recorderPhases },
  }));
  const reports = await runBenchGraph({
    graph: {
      actors: [{ id: 'feed', module: BENCH_ACTORS.feed, params: { control, consumers: readers, phases: plan.phases, window: WINDOW } }, ...strategies],
      channels: [{ from: 'feed.md', to: strategies.map((s) => `${s.id}.md`), transport: wiring.transport, capacityBytes: RING_BYTES }],
      defaults: { wait: { strategy: wiring.wait } },
    },
    control,
    recorders: strategies.map((s, cell) => ({ actorId: s.id, cell })),
    total: plan.total,
    timeoutMs: timeoutFor(plan.phases),
  });
  return graphMeasurements(reports, loads(options), (load) => ({
    variant: `${readers} reader${readers > 1 ? 's' : ''} · ${load.label}`,
    transport: TRANSPORT_LABEL[wiring.transport],
    threads: 1 + readers,
    waitStrategy: wiring.wait,
    note: 'latency = tick ingress → decoded by each strategy (all readers merged)',
  }));
}

async function run(options: SuiteOptions): Promise<Measurement[]> {
  const results: Measurement[] = [];
  for (const readers of FANOUTS) {
    for (const wiring of WIRINGS) {
      results.push(...(await runOne(options, readers, wiring)));
      options.log(`fanout: ${readers} reader(s) ${wiring.transport} done`);
    }
  }
  return results;
}

export const fanoutSuite: BenchSuite = {
  name: 'fanout',
  summary: 'one feed to 1, 2 and 4 strategies, on rings and over postMessage',
  run,
};
