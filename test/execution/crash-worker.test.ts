/**
 * Kill the execution worker at random points while orders are in flight, at least 50 times, under
 * a real Supervisor with a strategy sending intents the whole time; each time the supervisor
 * restarts it and it reconciles from the journal. Afterwards: no client order id reached the
 * simulator twice, every fill the simulator made is in the journal, nothing is left unresolved.
 *
 * Kill points are chosen by conditions, not by sleeps: either once the simulator has received 1–4
 * more orders (so requests and their answers are in flight), or right after the restart (while the
 * new worker reconciles). The sequence is seeded and the seed printed.
 */
import type { Worker } from 'node:worker_threads';
import { afterAll, expect, it } from 'vitest';
import type { ExecutionStatus } from '../../src/protocol/index.js';
import { parseGraphConfig } from '../../src/runtime/graph/graph-config.js';
import { Supervisor } from '../../src/runtime/supervision/supervisor.js';
import type { Simulator } from '../../src/sim/simulator.js';
import { eventually } from '../helpers/workers.js';
import { seededRandom } from '../trading/helpers.js';
import { auditJournal, nextKillPoint, reportAndCheck } from './crash-audit.js';
import { simCredentialsEnv, startTestSimulator, tempDir } from './helpers.js';
import { systemGraph } from './system.js';

const KILLS = Number(process.env.ARBITER_WORKER_KILLS ?? 50);
const API_KEY = `k-${process.pid}-TESTKEY`;
const SECRET = `s-${process.pid}-TESTSECRET`;

let sim: Simulator | undefined;
let supervisor: Supervisor | undefined;
const tmp = tempDir('arbiter-crash-worker-');

afterAll(async () => {
  await supervisor?.stop();
  await sim?.stop();
  tmp.remove();
});

/** Terminates the worker thread the way a crash would: the supervisor is not told it was intended. */
async function killWorker(sup: Supervisor, actorId: string): Promise<void> {
  await (sup.worker(actorId) as unknown as { worker: Worker }).worker.terminate();
}

async function execStatus(sup: Supervisor): Promise<ExecutionStatus | undefined> {
  return (await sup.actorStatus('execution')).actor?.custom as ExecutionStatus | undefined;
}

it(`kills the execution worker ${KILLS} times mid-flight: no order sent twice, no fill lost`, async () => {
  sim = await startTestSimulator({ venues: ['binanceusdm'], symbols: ['BTC/USDT'], credentials: { apiKey: API_KEY, secret: SECRET } });
  const graph = parseGraphConfig(systemGraph({ simUrl: sim.url, dataDir: tmp.dir, strategyId: 'crashw', seqBase: 0 }));
  supervisor = await Supervisor.start(graph, { env: { ...process.env, ...simCredentialsEnv(API_KEY, SECRET) } });
  const sup = supervisor;
  const seed = Number(process.env.ARBITER_CRASH_SEED ?? Date.now() % 1_000_000);
  const random = seededRandom(seed);
  let kills = 0;
  let duringReconcile = 0;
  while (kills < KILLS) {
    if (await nextKillPoint(sim, random)) duringReconcile++;
    await killWorker(sup, 'execution');
    kills++;
    await sup.events.waitFor('actor-restarted', (e) => e.actorId === 'execution' && e.restarts === kills);
  }

  // Drain: stop new intents, let the last incarnation reconcile and resolve everything, cancel what rests.
  await sup.command('crashw', 'stop');
  await eventually(async () => ((await execStatus(sup))?.reconciliation.state === 'done' ? true : undefined), 'the last reconciliation');
  await sup.command('execution', 'cancelAll', {});
  const final = await eventually(async () => {
    const status = await execStatus(sup);
    return status && status.openOrderCount === 0 ? status : undefined;
  }, 'every order resolved');
  const strategy = (await sup.actorStatus('crashw')).actor?.custom as { sent: number; denials: Record<string, number>; envText: string; workerDataText: string };
  // What the supervisor hands every other worker (its environment and, minus shared memory, its workerData).
  const handedOut = [...sup.actors.values()]
    .filter((record) => record.config.credentials !== true)
    .map((record) => JSON.stringify(record.spec, (_key, value: unknown) => (value instanceof SharedArrayBuffer ? undefined : value)));
  const executionEnv = JSON.stringify(sup.managed('execution').spec.env);
  await sup.stop();

  reportAndCheck('worker-kill', seed, kills, duringReconcile, await auditJournal(sim, final.journal));
  expect(kills).toBe(KILLS);
  expect(strategy.sent).toBeGreaterThan(kills);
  // Authority: no other worker was handed either credential, and the strategy worker saw neither
  // in its environment or its workerData.
  expect(handedOut).toHaveLength(2);
  expect(executionEnv).toContain(SECRET);
  for (const text of [...handedOut, strategy.envText, strategy.workerDataText]) {
    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(SECRET);
  }
  expect(strategy.envText).not.toMatch(/ARBITER_BINANCE_(API_KEY|SECRET)/);
}, 240_000);
