/**
 * Issue 14, "restarts must not unhedge the book": `arbiter run` is killed with SIGKILL at
 * seeded-random moments while the spot-perp hedges are open, ten times, and restarted each time
 * on the same data dir against one simulator that outlives it (`simulator.url`, the simulator
 * `arbiter sim --state` runs). A last run stops cleanly once nothing is in flight. Then, from the
 * journal: the strategy's net delta per asset (spot + perp) is within fee crumbs of 0, and no
 * perp leg ever held more than one entry's notional (no entry was stacked on an open hedge).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { afterAll, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/simulator.js';
import { eventually } from '../helpers/workers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const KILLS = 10;
const NOTIONAL_USD = 5_000;
const SYMBOLS = ['BTC/USDT:USDT', 'ETH/USDT:USDT', 'SOL/USDT:USDT'];
/** A hedged book is flat per asset up to the spot fee's crumbs (0.1 % of a 5 000 USD leg per fill). */
const DELTA_TOLERANCE_USD = 50;

const dir = mkdtempSync(join(tmpdir(), 'arbiter-restart-kill-'));
const dataDir = join(dir, 'data');
let sim: Simulator | undefined;
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A small seeded generator (mulberry32), so the kill moments are random but the same every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function writeConfig(url: string): string {
  const file = join(dir, 'config.json');
  const config = {
    mode: 'sim',
    dataDir,
    simulator: { url },
    venues: { binance: { symbols: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'] }, binanceusdm: { symbols: SYMBOLS } },
    strategies: [
      {
        id: 'hedge',
        module: 'actors/strategy/spot-perp-hedge.ts',
        subscribe: { venues: ['binance', 'binanceusdm'] },
        params: { spotVenue: 'binance', perpVenue: 'binanceusdm', symbols: SYMBOLS, notionalUsd: NOTIONAL_USD, entryAprPct: 30, exitAprPct: 10, evaluationIntervalMs: 500, onLegFailure: 'unwind', toleranceUsd: 25 },
      },
    ],
    execution: { params: { fundingPollMs: 5000, balances: { refreshMs: 5000 } } },
  };
  writeFileSync(file, JSON.stringify(config));
  return file;
}

interface Run {
  readonly child: ChildProcess;
  output: string;
  readonly exited: Promise<void>;
}

function startRun(configFile: string): Run {
  // Its log on stdout (the test harness points ARBITER_LOG_FILE at its own file).
  const env: NodeJS.ProcessEnv = { ...process.env, ARBITER_LOG_LEVEL: 'info' };
  delete env.ARBITER_LOG_FILE;
  const child = spawn('node', ['bin/arbiter.js', 'run', '--config', configFile, '--ops-port', '0'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const run: Run = { child, output: '', exited: new Promise((done) => child.once('exit', () => done())) };
  child.stdout!.on('data', (chunk: Buffer) => (run.output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (run.output += chunk.toString()));
  return run;
}

function journal<T>(read: (db: Database.Database) => T): T {
  const db = new Database(join(dataDir, 'execution.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

const fillCount = (): number => (existsSync(join(dataDir, 'execution.sqlite')) ? journal((db) => (db.prepare("SELECT count(*) AS n FROM fills WHERE strategy_id = 'hedge'").get() as { n: number }).n) : 0);
const openOrders = (): number => journal((db) => (db.prepare("SELECT count(*) AS n FROM orders WHERE status NOT IN ('filled', 'canceled', 'rejected', 'expired')").get() as { n: number }).n);

/** The strategy synced with execution in this run (its log line), i.e. it may trade from now on. */
const synced = (run: Run): Promise<true> => eventually(() => (run.output.includes('position sync from execution') ? true : undefined), 'the strategy synced with execution', 60_000);

interface Book {
  /** Per base asset: spot qty + perp qty, and its value at the last fill price. */
  readonly delta: Record<string, { qty: number; usd: number }>;
  /** Per perp symbol: the largest notional the leg ever held (one entry is NOTIONAL_USD). */
  readonly maxPerpUsd: Record<string, number>;
  /** Per perp symbol: intents that opened (a perp leg not reduce-only that filled). */
  readonly entries: Record<string, number>;
  readonly fills: number;
}

function book(): Book {
  return journal((db) => {
    const fills = db.prepare("SELECT f.symbol, f.side, f.qty, f.px FROM fills f WHERE f.strategy_id = 'hedge' ORDER BY f.at_ms, f.rowid").all() as { symbol: string; side: string; qty: number; px: number }[];
    const delta: Record<string, { qty: number; usd: number }> = {};
    const perp: Record<string, number> = {};
    const maxPerpUsd: Record<string, number> = {};
    const lastPx: Record<string, number> = {};
    for (const fill of fills) {
      const asset = fill.symbol.split('/')[0]!;
      const signed = fill.side === 'buy' ? fill.qty : -fill.qty;
      const entry = (delta[asset] ??= { qty: 0, usd: 0 });
      entry.qty += signed;
      lastPx[asset] = fill.px;
      if (fill.symbol.includes(':')) {
        perp[fill.symbol] = (perp[fill.symbol] ?? 0) + signed;
        maxPerpUsd[fill.symbol] = Math.max(maxPerpUsd[fill.symbol] ?? 0, Math.abs(perp[fill.symbol]!) * fill.px);
      }
    }
    for (const [asset, entry] of Object.entries(delta)) entry.usd = entry.qty * lastPx[asset]!;
    const rows = db.prepare("SELECT symbol, count(DISTINCT intent_seq) AS n FROM orders WHERE strategy_id = 'hedge' AND symbol LIKE '%:%' AND reduce_only = 0 AND cum_qty > 0 GROUP BY symbol").all() as { symbol: string; n: number }[];
    return { delta, maxPerpUsd, entries: Object.fromEntries(rows.map((r) => [r.symbol, r.n])), fills: fills.length };
  });
}

it(`keeps the hedges hedged across ${KILLS} SIGKILLs of arbiter run at seeded-random moments, and never stacks an entry`, async () => {
  sim = await startSimulator({ seed: 7, scenario: 'mix', venues: ['binance', 'binanceusdm'], symbols: ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'], stateFile: join(dir, 'sim-state.json'), logger: pino({ enabled: false }) });
  const configFile = writeConfig(sim.url);
  const random = seeded(14);
  for (let kill = 0; kill < KILLS; kill++) {
    const run = startRun(configFile);
    await synced(run);
    // The moment: a seeded number (0-2) of this strategy's fills after the sync, or a seeded wait
    // when the market gives none (both the same every run of the test).
    const fillsAt = fillCount() + Math.floor(random() * 3);
    const waitMs = 500 + Math.floor(random() * 2_500);
    await Promise.race([eventually(() => (fillCount() >= fillsAt ? true : undefined), 'fills', waitMs + 1).catch(() => undefined), new Promise((done) => setTimeout(done, waitMs))]);
    run.child.kill('SIGKILL');
    await run.exited;
  }
  // A last run: synced, nothing in flight, then a clean stop.
  const last = startRun(configFile);
  await synced(last);
  await eventually(() => (openOrders() === 0 ? true : undefined), 'no order in flight', 30_000);
  last.child.kill('SIGTERM');
  await last.exited;

  const result = book();
  console.log(`restart-kill: ${KILLS} kills, ${result.fills} fills; net delta per asset ${JSON.stringify(result.delta)}; max perp notional ${JSON.stringify(result.maxPerpUsd)}; entries ${JSON.stringify(result.entries)}`);
  expect(result.fills).toBeGreaterThan(0);
  for (const [asset, { usd }] of Object.entries(result.delta)) expect(Math.abs(usd), `net ${asset} delta`).toBeLessThanOrEqual(DELTA_TOLERANCE_USD);
  for (const [symbol, usd] of Object.entries(result.maxPerpUsd)) expect(usd, `${symbol}: the perp leg held more than one entry`).toBeLessThan(NOTIONAL_USD * 1.5);
}, 240_000);
