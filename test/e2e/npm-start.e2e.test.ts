/**
 * The README's main command, as a user runs it: `npm start -- --duration 30` trades the embedded
 * simulator with the default config and exits 0 with a summary. A temp data dir and any free ops
 * port keep it from touching a run the user may have going. The run also records its market data
 * (`--record`), and that recording is then replayed twice (`--replay`): both replays must trade
 * and agree to the last order, fill and cent.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

async function runCommand(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ARBITER_LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  return { code, output };
}

it('npm start -- --duration 30 trades the simulator and exits 0 with a summary; its recording replays identically', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-npm-start-'));
  try {
    const summaryFile = join(dir, 'summary.json');
    const recording = join(dir, 'md.rec');
    const { code, output } = await runCommand('npm', ['start', '--', '--duration', '30', '--ops-port', '0', '--data-dir', join(dir, 'data'), '--summary-json', summaryFile, '--record', recording]);
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

    const replays = [];
    for (const n of [1, 2]) {
      const replayFile = join(dir, `replay-${n}.json`);
      const replay = await runCommand('node', ['bin/arbiter.js', 'run', '--replay', recording, '--data-dir', join(dir, 'data'), '--summary-json', replayFile]);
      expect(replay.code, replay.output.slice(-3000)).toBe(0);
      expect(replay.output).toContain('run summary (replay');
      replays.push(JSON.parse(readFileSync(replayFile, 'utf8')) as Record<string, unknown> & { replay: { frames: number; rejected: number }; venues: Record<string, { messages: number }> });
    }
    const [a, b] = replays as [(typeof replays)[number], (typeof replays)[number]];
    const recorded = Object.values(summary.venues).reduce((total, v) => total + v.messages, 0);
    // The recorder reads the feeds like a strategy, so it holds (about) what they published.
    expect(a.replay.frames).toBeGreaterThan(recorded * 0.9);
    expect(a.replay.rejected).toBe(0);
    expect(a.ordersSent).toBeGreaterThan(0);
    for (const field of ['opportunities', 'ordersSent', 'fills', 'openPositions', 'realizedPnl', 'unrealizedPnl', 'fundingPnl', 'fees', 'netPnl', 'denials', 'venues']) {
      expect(b[field], field).toEqual(a[field]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 120_000);
