/**
 * `reload`: hot-reloads a counting strategy again and again while a feed pushes ~100k msgs/s
 * into it, and reports
 * - the switch-over pause: from pausing the old worker to the new one handling its first
 *   message (the supervisor's pauseUs, on the process-wide monotonic clock);
 * - the worker start-up (spawn + tsx + module load), which happens before the pause while the
 *   old version keeps trading;
 * - messages lost or handled twice across all the swaps, from the strategy's own sequence
 *   checks (it counts gaps and repeats in what it saw, and its state moves across each swap).
 */
import { resolve } from 'node:path';
import { parseGraphConfig } from '../src/runtime/graph/graph-config.js';
import { Supervisor } from '../src/runtime/supervision/supervisor.js';
import { createLatencyHistogram, recordNs } from './lib/histogram.js';
import type { Measurement } from './lib/rows.js';
import { scaled, type BenchSuite, type SuiteOptions } from './lib/suite.js';

const ROOT = resolve(import.meta.dirname, '..');
const PRODUCER = resolve(ROOT, 'test/fixtures/actors/probe-producer.ts');
const COUNTER = resolve(ROOT, 'test/fixtures/actors/probe-counter.ts');
/** Records per 1 ms timer tick: ticks come ~720 times a second here, so 140 gives ~100k msgs/s. */
const BURST = 140;
const GRACE_MS = 50;

interface Counted {
  count: number;
  lastSeq: number;
  gaps: number;
  repeats: number;
}

async function counted(supervisor: Supervisor): Promise<Counted> {
  return (await supervisor.actorStatus('counter')).actor!.custom as unknown as Counted;
}

async function run(options: SuiteOptions): Promise<Measurement[]> {
  const reloads = scaled(options, 50, 5);
  const graph = parseGraphConfig({
    actors: [
      { id: 'producer', module: PRODUCER, params: { count: 1e9, burst: BURST, intervalMs: 1 } },
      { id: 'counter', module: COUNTER, stopStage: 1, reloadable: true },
    ],
    channels: [{ from: 'producer.out', to: ['counter.in'], capacityBytes: 1 << 22 }],
  });
  const supervisor = await Supervisor.start(graph);
  const pause = createLatencyHistogram();
  const startup = createLatencyHistogram();
  const sent = async (): Promise<number> => ((await supervisor.actorStatus('producer')).actor!.custom as { sent: number }).sent;
  try {
    // Warm-up: one reload not counted, so measured swaps find tsx's transform cache warm.
    await supervisor.reload('counter', { graceMs: GRACE_MS });
    const startNs = process.hrtime.bigint();
    const sentBefore = await sent();
    for (let i = 0; i < reloads; i++) {
      const result = await supervisor.reload('counter', { graceMs: GRACE_MS });
      if (!result.ok) throw new Error(`reload ${i} failed at ${result.stage}: ${result.error}`);
      recordNs(pause, result.pauseUs * 1e3);
      recordNs(startup, result.startupMs * 1e6);
      options.log(`reload ${i + 1}/${reloads}: pause ${result.pauseUs.toFixed(0)} µs, start-up ${result.startupMs} ms`);
    }
    const elapsedNs = Number(process.hrtime.bigint() - startNs);
    const rate = Math.round(((await sent()) - sentBefore) / (elapsedNs / 1e9));
    // The counter's state crossed every swap: a lost message leaves a hole below lastSeq, a
    // duplicate is a repeat. Both are exact at any moment, whatever is still in the ring.
    const seen = await counted(supervisor);
    const lost = seen.lastSeq - (seen.count - seen.repeats);
    const note = `feed ${rate} msgs/s over the run; ${seen.count} messages handled; lost ${lost}, duplicated ${seen.repeats}, gaps ${seen.gaps}`;
    const common = { transport: 'ring', messages: reloads, elapsedNs, threads: 3, waitStrategy: 'spin-then-park', note };
    return [
      { ...common, variant: 'switch-over pause (pause → first message on the new worker)', histogram: pause },
      { ...common, variant: 'worker start-up before the pause (spawn + load)', histogram: startup },
    ];
  } finally {
    await supervisor.stop();
  }
}

export const reloadSuite: BenchSuite = {
  name: 'reload',
  summary: 'hot reload of a strategy under a ~100k msgs/s feed: switch-over pause, start-up, lost/duplicated',
  run,
};
