/**
 * Group commit across a kill: the execution actor (in a process of its own, test/fixtures/group-kill.ts)
 * drains a burst of commands as one ring batch and journals them in one group; the process is
 * SIGKILLed inside that group's commit (writes made, commit not) or right after it (before the
 * group's requests leave). Either every command of the batch is in the journal or none is, and
 * the simulator never received an order of a batch whose commit had not completed. After the
 * second kill, a restart on the same journal resolves every order without sending any of them.
 *
 * The kill points are conditions (the fixture blocks its thread there and says so), not timing.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/simulator.js';
import { simCredentialsEnv, startTestSimulator, tempDir } from './helpers.js';

const ENTRY = fileURLToPath(new URL('../fixtures/group-kill.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const BURST = 8;

let sim: Simulator;
const tmp = tempDir('arbiter-group-kill-');

beforeAll(async () => {
  sim = await startTestSimulator({ venues: ['binanceusdm'], symbols: ['BTC/USDT'] });
});

afterAll(async () => {
  await sim?.stop();
  tmp.remove();
});

interface Run {
  /** Orders the fixture handed to its venue adapter so far. */
  submitted(): string[];
  /** Resolves with the rest of the first stderr line starting with `marker` (rejects on exit without it). */
  line(marker: string): Promise<string>;
  kill(): Promise<void>;
}

function runFixture(dataDir: string, gate: '' | 'before' | 'after'): Run {
  const child = spawn(process.execPath, ['--import', TSX, ENTRY], {
    env: { ...process.env, ...simCredentialsEnv(), ARBITER_TEST_SIM_URL: sim.url, ARBITER_TEST_DATA_DIR: dataDir, ARBITER_TEST_GATE: gate, ARBITER_TEST_BURST: String(BURST) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return {
    submitted: () => stderr.split('\n').filter((l) => l.startsWith('ARBITER-TEST-SUBMIT ')).map((l) => l.slice('ARBITER-TEST-SUBMIT '.length)),
    line: (marker) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const found = stderr.split('\n').find((l) => l.startsWith(marker));
          if (found !== undefined) resolve(found.slice(marker.length).trim());
          else if (stderr.includes('ARBITER-TEST-FAILED')) reject(new Error(stderr));
        };
        child.stderr!.on('data', check);
        void exited.then(() => {
          check();
          reject(new Error(`the fixture exited without ${marker}:\n${stderr}`));
        });
        check();
      }),
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

function journalRows(dataDir: string): { commands: number; orders: { client_order_id: string; status: string }[] } {
  const db = new Database(join(dataDir, 'execution.sqlite'), { readonly: true });
  try {
    const commands = (db.prepare("SELECT count(*) AS n FROM commands WHERE strategy_id = 'groupkill'").get() as { n: number }).n;
    const orders = db.prepare("SELECT client_order_id, status FROM orders WHERE strategy_id = 'groupkill'").all() as { client_order_id: string; status: string }[];
    return { commands, orders };
  } finally {
    db.close();
  }
}

it('a batch killed inside its commit left nothing in the journal and sent nothing', async () => {
  const dir = join(tmp.dir, 'before');
  const before = (await sim.control.orders()).length;
  const run = runFixture(dir, 'before');
  // The whole burst was one ring batch, so one group: all of it was about to commit.
  expect(Number(await run.line('ARBITER-TEST-BLOCKED'))).toBe(BURST);
  await run.kill();
  expect(run.submitted()).toEqual([]);
  expect(journalRows(dir)).toEqual({ commands: 0, orders: [] });
  expect((await sim.control.orders()).length).toBe(before);
}, 120_000);

it('a batch killed after its commit is journaled whole, was not sent, and is resolved after a restart without being sent', async () => {
  const dir = join(tmp.dir, 'after');
  const before = (await sim.control.orders()).length;
  const run = runFixture(dir, 'after');
  expect(Number(await run.line('ARBITER-TEST-BLOCKED'))).toBe(BURST);
  await run.kill();
  expect(run.submitted()).toEqual([]);
  const journaled = journalRows(dir);
  expect(journaled.commands).toBe(BURST);
  expect(journaled.orders).toHaveLength(BURST);
  // Journaled as handed to the venue (a request may have left), but none had: the sends wait for the commit.
  expect(new Set(journaled.orders.map((o) => o.status))).toEqual(new Set(['sent']));
  expect((await sim.control.orders()).length).toBe(before);

  const restart = runFixture(dir, '');
  const [durability, commits] = (await restart.line('ARBITER-TEST-SETTLED')).split(' ');
  // The default durability in sim mode, reported in the execution status; resolving the orders took commits.
  expect(durability).toBe('normal');
  expect(Number(commits)).toBeGreaterThan(0);
  expect(restart.submitted()).toEqual([]);
  const resolved = journalRows(dir);
  expect(resolved.orders).toHaveLength(BURST);
  for (const order of resolved.orders) expect(['rejected', 'canceled']).toContain(order.status);
  expect((await sim.control.orders()).length).toBe(before);
}, 120_000);
