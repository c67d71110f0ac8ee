/**
 * The README's main command, as a user runs it: `npm start -- --duration 30` trades the embedded
 * simulator with the default config and exits 0 with a summary. A temp data dir and any free ops
 * port keep it from touching a run the user may have going.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

it('npm start -- --duration 30 trades the simulator and exits 0 with a summary', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-npm-start-'));
  try {
    const summaryFile = join(dir, 'summary.json');
    const child = spawn('npm', ['start', '--', '--duration', '30', '--ops-port', '0', '--data-dir', join(dir, 'data'), '--summary-json', summaryFile], {
      cwd: ROOT,
      env: { ...process.env, ARBITER_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.once('exit', done));
    expect(code, output.slice(-3000)).toBe(0);
    expect(output).toContain('run summary (sim');
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as Record<string, unknown> & { venues: Record<string, { messages: number; state: string }>; latencyUs: { p50: number | null; p99: number | null } };
    for (const field of ['opportunities', 'ordersSent', 'fills', 'openPositions', 'realizedPnl', 'unrealizedPnl', 'fundingPnl', 'fees']) {
      expect(typeof summary[field], field).toBe('number');
    }
    expect(summary.opportunities).toBeGreaterThan(0);
    expect(Object.keys(summary.venues).sort()).toEqual(['binance', 'binanceusdm', 'bybit', 'okx']);
    for (const [venue, v] of Object.entries(summary.venues)) expect(v.messages, venue).toBeGreaterThan(0);
    expect(summary.latencyUs).toHaveProperty('p50');
    expect(summary.latencyUs).toHaveProperty('p99');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
