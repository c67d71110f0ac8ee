/**
 * Kill the whole process (SIGKILL: supervisor, feed, strategy and execution at once) at random
 * points while orders are in flight, restart it on the same data directory, let it reconcile,
 * and again. Afterwards: no client order id reached the simulator twice, every simulator fill is
 * in the journal, nothing unresolved. The simulator runs here, outside the killed process.
 *
 * Each cycle restarts a whole process (node, tsx, supervisor, three workers: ~3–4 s here), so the
 * default is 12 kills to keep the suite's time budget; ARBITER_PROCESS_KILLS=50 runs more.
 *
 * Also: the credentials, which reach the process only through its environment, appear nowhere in
 * its log output (everything it wrote is captured).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/simulator.js';
import { seededRandom } from '../trading/helpers.js';
import { auditJournal, nextKillPoint, reportAndCheck } from './crash-audit.js';
import { simCredentialsEnv, startTestSimulator, tempDir } from './helpers.js';

const KILLS = Number(process.env.ARBITER_PROCESS_KILLS ?? 12);
const API_KEY = `k-${process.pid}-PROCKEY`;
const SECRET = `s-${process.pid}-PROCSECRET`;
const ENTRY = fileURLToPath(new URL('../fixtures/exec-system.ts', import.meta.url));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

let sim: Simulator | undefined;
const children = new Set<ChildProcess>();
const tmp = tempDir('arbiter-crash-process-');
let output = '';

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await sim?.stop();
  tmp.remove();
});

interface System {
  child: ChildProcess;
  exited: Promise<number | null>;
  /** Resolves with the rest of the first stderr line that starts with `marker`. */
  line(marker: string): Promise<string>;
}

function startSystem(simUrl: string, run: number): System {
  const config = { simUrl, dataDir: tmp.dir, strategyId: 'crashp', seqBase: run * 1_000_000 };
  const child = spawn(process.execPath, ['--import', TSX, ENTRY], {
    env: { ...process.env, ...simCredentialsEnv(API_KEY, SECRET), ARBITER_LOG_LEVEL: 'debug', ARBITER_TEST_SYSTEM: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  const waiters: { marker: string; resolve: (rest: string) => void }[] = [];
  const check = (): void => {
    for (const waiter of [...waiters]) {
      const line = stderr.split('\n').find((l) => l.startsWith(waiter.marker));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line.slice(waiter.marker.length).trim());
      }
    }
  };
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stderr += chunk.toString();
    check();
  });
  let signal: string | null = null;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, killedBy) => {
    children.delete(child);
    signal = killedBy;
    resolve(code);
  }));
  return {
    child,
    exited,
    line: (marker) =>
      new Promise((resolve, reject) => {
        waiters.push({ marker, resolve });
        check();
        void exited.then((code) => reject(new Error(`system exited (code ${code}, signal ${signal}) before ${marker}; stderr:\n${stderr.slice(-2000)}\nstdout tail:\n${output.slice(-4000)}`)));
      }),
  };
}

it(`kills the whole process ${KILLS} times mid-flight: no order sent twice, no fill lost, no secret in the logs`, async () => {
  sim = await startTestSimulator({ venues: ['binanceusdm'], symbols: ['BTC/USDT'], credentials: { apiKey: API_KEY, secret: SECRET } });
  const seed = Number(process.env.ARBITER_CRASH_SEED ?? Date.now() % 1_000_000);
  const random = seededRandom(seed);
  let kills = 0;
  let duringReconcile = 0;
  for (let run = 0; ; run++) {
    const system = startSystem(sim.url, run);
    await system.line('ARBITER-TEST-READY');
    if (run === KILLS) {
      system.child.kill('SIGTERM');
      const journal = await system.line('ARBITER-TEST-DRAINED');
      expect(await system.exited).toBe(0);
      reportAndCheck('process-kill', seed, kills, duringReconcile, await auditJournal(sim, journal));
      break;
    }
    if (await nextKillPoint(sim, random)) duringReconcile++;
    system.child.kill('SIGKILL');
    await system.exited;
    kills++;
  }
  expect(kills).toBe(KILLS);
  expect(output.length).toBeGreaterThan(0);
  expect(output).toContain('reconciliation done');
  expect(output).not.toContain(API_KEY);
  expect(output).not.toContain(SECRET);
}, 240_000);
