/**
 * `e2e`: the real system (config/default.json: four ccxt feeds, three strategies, execution with
 * its journal) against the embedded simulator, with a spot dislocation paced every 200 ms through
 * the simulator's control API (BTC/USDT 40 bps rich on bybit and okx in turn, over the ~20 bps
 * of fees), run once over the rings and once over postMessage in the same invocation, so the ratio
 * holds on a noisy machine.
 *
 * Reported per transport: tick-to-wire and every stage of it (see ORDER_STAGES) for the orders
 * decided on the tick path and on the timer path, as execution measured them (its HDR
 * percentiles: the samples stay in its thread), the commands per path, and in the note the RSS of
 * Arbiter's process (every actor thread) and of the simulator's, sampled at the end.
 *
 * `ARBITER_BENCH_CONFIG=<file>` runs another config instead of config/default.json (for example
 * with `execution.params.legsTogether: false`, to compare how far apart multi-leg legs leave).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAppConfig, parseAppConfig } from '../src/app/config.js';
import { DEFAULT_CONFIG } from '../src/app/paths.js';
import { TradingSystem } from '../src/app/system.js';
import { rootLogger } from '../src/base/log.js';
import type { StageHistogram } from '../src/ops/system-status.js';
import { SimControl } from '../src/sim/control/client.js';
import { createLatencyHistogram } from './lib/histogram.js';
import type { Measurement } from './lib/rows.js';
import { scaled, type BenchSuite, type SuiteOptions } from './lib/suite.js';

const DISLOCATION_EVERY_MS = 200;
const DISLOCATION_BPS = 40;
const SYMBOL = 'BTC/USDT';
const RICH_VENUES = ['bybit', 'okx'] as const;
const TRANSPORTS = ['ring', 'port'] as const;

/** A process's resident set in MB, from /proc (0 where there is none). */
function rssMb(pid: number | 'self'): number {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? 0 : Math.round(Number(kb) / 1024);
  } catch {
    return 0;
  }
}

/** Waits until execution has reconciled (orders before that are denied, not measured). */
async function reconciled(system: TradingSystem, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = ((await system.supervisor.actorStatus('execution')).actor?.custom as { reconciliation?: { state?: string } } | undefined)?.reconciliation?.state;
    if (state === 'done') return;
    if (Date.now() > deadline) throw new Error(`execution did not reconcile within ${timeoutMs} ms (state ${state})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function runOnce(options: SuiteOptions, transport: (typeof TRANSPORTS)[number], durationMs: number): Promise<Measurement[]> {
  const dataDir = mkdtempSync(join(tmpdir(), `arbiter-e2e-${transport}-`));
  const base = await loadAppConfig(process.env.ARBITER_BENCH_CONFIG ?? DEFAULT_CONFIG);
  const config = parseAppConfig({ ...base, dataDir, runtime: { ...base.runtime, transport } }, 'e2e bench config');
  // The system's own logs (feeds coming up, trading) would drown the tables: errors only, unless asked.
  const level = process.env.ARBITER_LOG_LEVEL ?? 'error';
  const system = await TradingSystem.start(config, { noOps: true, env: { ...process.env, ARBITER_LOG_LEVEL: level }, log: rootLogger().child({ component: 'e2e' }, { level }) });
  try {
    await reconciled(system, 60_000);
    const control = new SimControl(system.sim!.url);
    const startNs = process.hrtime.bigint();
    for (let step = 0; Number(process.hrtime.bigint() - startNs) / 1e6 < durationMs; step++) {
      const rich = RICH_VENUES[step % RICH_VENUES.length]!;
      await Promise.all(RICH_VENUES.map((venue) => control.setPriceOffset(venue, SYMBOL, venue === rich ? DISLOCATION_BPS : 0)));
      await new Promise((resolve) => setTimeout(resolve, DISLOCATION_EVERY_MS));
    }
    await Promise.all(RICH_VENUES.map((venue) => control.setPriceOffset(venue, SYMBOL, 0)));
    const elapsedNs = Number(process.hrtime.bigint() - startNs);
    const status = await system.status();
    const memory = `RSS arbiter ${rssMb('self')} MB, simulator ${system.sim?.pid ? `${rssMb(system.sim.pid)} MB` : 'attached (not measured)'}; ${status.actors.length} actors`;
    const commands = `commands tick ${status.commandsByPath.tick}, timer ${status.commandsByPath.timer}`;
    options.log(`e2e ${transport}: ${commands}; ${memory}`);
    return status.stages.map((stage) => measurement(stage, transport === 'port' ? 'postMessage' : 'ring', elapsedNs, status.actors.length, `${commands}; ${memory}`));
  } finally {
    await system.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function measurement(stage: StageHistogram, transport: string, elapsedNs: number, threads: number, note: string): Measurement {
  const p = (value: number | null): number => value ?? 0;
  return {
    variant: `${stage.path} path: ${stage.stage}`,
    transport,
    messages: stage.count,
    elapsedNs,
    histogram: createLatencyHistogram(),
    percentiles: { p50Us: p(stage.p50Us), p90Us: p(stage.p90Us), p99Us: p(stage.p99Us), p999Us: p(stage.p999Us), maxUs: p(stage.maxUs) },
    threads,
    note,
  };
}

async function run(options: SuiteOptions): Promise<Measurement[]> {
  const durationMs = scaled(options, 30_000, 4_000);
  const rows: Measurement[] = [];
  for (const transport of TRANSPORTS) rows.push(...(await runOnce(options, transport, durationMs)));
  // Stage by stage, the transports side by side.
  const key = (m: Measurement): string => m.variant;
  return rows.sort((a, b) => key(a).localeCompare(key(b)) || a.transport.localeCompare(b.transport));
}

export const e2eSuite: BenchSuite = {
  name: 'e2e',
  summary: 'the default system against the simulator, a dislocation every 200 ms: tick-to-wire per stage and path, rings vs postMessage, RSS',
  run,
};
