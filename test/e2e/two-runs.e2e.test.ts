/**
 * The README's promise that `npm start` works twice in a row in one checkout (issue 15,
 * "Sessions"): the second run resumes the first run's journal against the same simulator world
 * (restored from the data dir), journals its own fills under new trade ids, leaves no IOC order
 * stuck, and ends with the journal's positions equal to the simulator's. Without the simulator's
 * state the journal belongs to no running world: the start is refused with a message that says
 * how to continue, and `--fresh` does so.
 */
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import type { RunSummary } from '../../src/app/summary.js';

const ROOT = resolve(import.meta.dirname, '../..');

async function arbiter(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn('node', ['bin/arbiter.js', 'run', '--ops-port', '0', ...args], { cwd: ROOT, env: { ...process.env, ARBITER_LOG_LEVEL: 'error' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  return { code, output };
}

interface WorldFile {
  worldId: string;
  venues: Record<string, { accounts: [string, { positions: { map: [string, { quantity: number }][] } }][]; orders: [string, { fills: unknown[] }][] }>;
}

function simPositions(world: WorldFile): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [venue, state] of Object.entries(world.venues)) {
    for (const [, account] of state.accounts) for (const [symbol, p] of account.positions.map) if (Math.abs(p.quantity) > 1e-9) out[`${venue} ${symbol}`] = p.quantity;
  }
  return out;
}

function journal(file: string): { perpPositions: Record<string, number>; fills: number; stuckIoc: number } {
  const db = new Database(file, { readonly: true });
  try {
    const rows = db.prepare("SELECT venue, symbol, SUM(CASE side WHEN 'buy' THEN qty ELSE -qty END) AS q FROM fills WHERE symbol LIKE '%:%' GROUP BY venue, symbol").all() as { venue: string; symbol: string; q: number }[];
    const perpPositions = Object.fromEntries(rows.filter((r) => Math.abs(r.q) > 1e-9).map((r) => [`${r.venue} ${r.symbol}`, Math.round(r.q * 1e8) / 1e8]));
    const fills = (db.prepare('SELECT count(*) AS n FROM fills').get() as { n: number }).n;
    const stuckIoc = (db.prepare("SELECT count(*) AS n FROM orders WHERE time_in_force = 'IOC' AND status NOT IN ('filled', 'canceled', 'rejected')").get() as { n: number }).n;
    return { perpPositions, fills, stuckIoc };
  } finally {
    db.close();
  }
}

it('a second npm start in the same data dir resumes the first; without the simulator state it is refused, and --fresh starts over', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-two-runs-'));
  const dataDir = join(dir, 'data');
  const journalFile = join(dataDir, 'execution.sqlite');
  const stateFile = join(dataDir, 'sim-state.json');
  try {
    const first = await arbiter(['--duration', '15', '--data-dir', dataDir, '--summary-json', join(dir, 's1.json')]);
    expect(first.code, first.output.slice(-3000)).toBe(0);
    expect(first.output).toContain('journal: new at');
    const afterFirst = journal(journalFile);
    expect(afterFirst.fills).toBeGreaterThan(0);

    const second = await arbiter(['--duration', '15', '--data-dir', dataDir, '--summary-json', join(dir, 's2.json')]);
    expect(second.code, second.output.slice(-3000)).toBe(0);
    expect(second.output).toMatch(/journal: resumed .* with \d+ open orders and \d+ positions .*\(restored\)/);
    const summary = JSON.parse(readFileSync(join(dir, 's2.json'), 'utf8')) as RunSummary;
    expect(summary.journal.resumed).toBe(true);
    expect(summary.fills).toBeGreaterThan(0);
    expect(summary.journal.total.fills).toBe(summary.journal.atStart.fills + summary.fills);
    // Reconciliation (at start and every period) found the venue where the journal left it.
    expect(summary.positionMismatches).toBe(0);
    expect(summary.externalPositions).toBe(0);
    expect(second.output).toMatch(/this run: .*orders sent \d+ +fills \d+\n +journal \(resumed with \d+ open orders and \d+ positions\): all runs:/);
    const afterSecond = journal(journalFile);
    // This run's fills are journaled (none dropped as a duplicate key), nothing is stuck, and the
    // journal's perp positions are the simulator's.
    const world = JSON.parse(readFileSync(stateFile, 'utf8')) as WorldFile;
    const simFills = Object.values(world.venues).reduce((n, v) => n + v.orders.reduce((m, [, o]) => m + o.fills.length, 0), 0);
    expect(afterSecond.fills).toBe(simFills);
    expect(afterSecond.fills).toBeGreaterThan(afterFirst.fills);
    expect(afterSecond.stuckIoc).toBe(0);
    const venuePerps = Object.fromEntries(Object.entries(simPositions(world)).filter(([key]) => key.includes(':')).map(([k, q]) => [k, Math.round(q * 1e8) / 1e8]));
    expect(afterSecond.perpPositions).toEqual(venuePerps);

    rmSync(stateFile);
    const refused = await arbiter(['--duration', '5', '--data-dir', dataDir]);
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/SESSION_MISMATCH: the journal .*execution\.sqlite .* was written against simulator world .*--fresh/);
    expect(existsSync(stateFile)).toBe(false);

    const fresh = await arbiter(['--duration', '5', '--fresh', '--data-dir', dataDir]);
    expect(fresh.code, fresh.output.slice(-3000)).toBe(0);
    expect(fresh.output).toMatch(/journal: new at .*previous data dir moved to/);
    expect(readdirSync(dir).filter((name) => name.startsWith('data.'))).toHaveLength(1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 240_000);
