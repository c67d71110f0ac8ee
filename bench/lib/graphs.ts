/**
 * Runs a bench actor graph under the real Supervisor and collects what its recording actors
 * measured. Completion is signalled through the shared control cells (see
 * actors/latency-recorder.ts), so the main thread waits on Atomics, not on status polling.
 */
import { fileURLToPath } from 'node:url';
import { parseGraphConfig, type GraphConfigInput } from '../../src/runtime/graph/graph-config.js';
import { Supervisor } from '../../src/runtime/supervision/supervisor.js';
import { CONTROL_BYTES, controlView, progressIndex, type PhaseReport, type RecorderPhase } from '../actors/latency-recorder.js';
import type { FeedPhase } from '../actors/synthetic-feed.js';
import { mergeHistograms } from './histogram.js';
import type { Measurement } from './rows.js';

export const BENCH_ACTORS = {
  feed: fileURLToPath(new URL('../actors/synthetic-feed.ts', import.meta.url)),
  strategy: fileURLToPath(new URL('../actors/tick-strategy.ts', import.meta.url)),
  execution: fileURLToPath(new URL('../actors/risk-execution.ts', import.meta.url)),
};

type WaitAsync = (cells: Int32Array, index: number, value: number, timeoutMs: number) => { async: boolean; value: unknown };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

export function createControl(): SharedArrayBuffer {
  return new SharedArrayBuffer(CONTROL_BYTES);
}

/** Resolves once every cell in `cells` has reached `target`; rejects with the progress after `timeoutMs`. */
export async function waitForCells(control: SharedArrayBuffer, cells: readonly number[], target: number, timeoutMs: number): Promise<void> {
  const view = controlView(control);
  const deadline = Date.now() + timeoutMs;
  for (const cell of cells) {
    const index = progressIndex(cell);
    for (let value = Atomics.load(view, index); value < target; value = Atomics.load(view, index)) {
      if (Date.now() > deadline) throw new Error(`bench graph stalled: consumer ${cell} handled ${value} of ${target} messages in ${timeoutMs} ms`);
      const result = waitAsync(view, index, value, 50);
      if (result.async) await result.value;
    }
  }
}

/** A measured load: a label for the rows and the feed phase that produces it. */
export interface Load extends FeedPhase {
  label: string;
}

/** Saturated phases time one message in this many (see latency-recorder.ts); paced ones time all. */
const SATURATED_SAMPLE_EVERY = 8;

/** What the feed and the recorders are told: the warm-up phase first, then every load. */
export function phasePlan(warmup: FeedPhase, loads: readonly Load[]): { phases: FeedPhase[]; recorderPhases: RecorderPhase[]; total: number } {
  const phases = [warmup, ...loads.map(({ ratePerSecond, count }) => ({ ratePerSecond, count }))];
  let end = 0;
  const recorderPhases = phases.map(({ ratePerSecond, count }) => ({ end: (end += count), sampleEvery: ratePerSecond > 0 ? 1 : SATURATED_SAMPLE_EVERY }));
  return { phases, recorderPhases, total: end };
}

/** Generous: a stalled graph fails the run with its progress instead of hanging it. */
export function timeoutFor(phases: readonly FeedPhase[]): number {
  return 60_000 + phases.reduce((ms, phase) => ms + (phase.ratePerSecond > 0 ? (phase.count / phase.ratePerSecond) * 3e3 : 0), 0);
}

export interface GraphRun {
  graph: GraphConfigInput;
  control: SharedArrayBuffer;
  /** The actors that record latency, and their control cells. */
  recorders: readonly { actorId: string; cell: number }[];
  /** Messages each recorder handles in all (warm-up included). */
  total: number;
  timeoutMs: number;
}

/** Starts the graph, waits for every recorder to finish, and returns each one's phase reports. */
export async function runBenchGraph(run: GraphRun): Promise<PhaseReport[][]> {
  const supervisor = await Supervisor.start(parseGraphConfig(run.graph, 'bench graph'));
  try {
    await waitForCells(run.control, run.recorders.map((r) => r.cell), run.total, run.timeoutMs);
    const statuses = await Promise.all(run.recorders.map((r) => supervisor.actorStatus(r.actorId)));
    return statuses.map((status) => {
      const phases = (status.actor?.custom as { phases?: PhaseReport[] } | undefined)?.phases;
      if (!phases?.length) throw new Error(`bench actor ${status.actorId} reported no phases (${status.lastError ?? status.state})`);
      return phases;
    });
  } finally {
    await supervisor.stop();
  }
}

/** One row per load from the recorders of one run: every reader's latencies, ticks delivered to all per second. */
export function graphMeasurements(reports: readonly PhaseReport[][], loads: readonly Load[], fields: (load: Load) => Omit<Measurement, 'messages' | 'elapsedNs' | 'histogram'>): Measurement[] {
  return loads.map((load, index) => {
    const phase = reports.map((recorder) => recorder[index]!);
    const firstTs = Math.min(...phase.map((p) => p.firstTs));
    const lastNs = Math.max(...phase.map((p) => p.lastNs));
    return {
      ...fields(load),
      messages: Math.min(...phase.map((p) => p.measured)),
      elapsedNs: lastNs - firstTs,
      histogram: mergeHistograms(phase.map((p) => p.histogram)),
    };
  });
}
