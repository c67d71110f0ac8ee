/**
 * Issue 14, "a simulator that outlives Arbiter": with `simulator.url` a sim run trades an already
 * running simulator (as `arbiter sim --state <file>` runs it) instead of starting its own, and
 * leaves it running at shutdown; a second run on the same data dir resumes against the same
 * world, and a simulator that lost its world is refused (SESSION_MISMATCH).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, expect, it } from 'vitest';
import { parseAppConfig } from '../../src/app/config.js';
import { TradingSystem } from '../../src/app/system.js';
import { startSimulator, type Simulator } from '../../src/sim/simulator.js';
import { eventually } from '../helpers/workers.js';

const dir = mkdtempSync(join(tmpdir(), 'arbiter-attached-'));
const sims: Simulator[] = [];
afterAll(async () => {
  await Promise.all(sims.map((sim) => sim.stop()));
  rmSync(dir, { recursive: true, force: true });
});

async function simulator(stateFile?: string): Promise<Simulator> {
  const sim = await startSimulator({ seed: 7, venues: ['binanceusdm'], symbols: ['BTC/USDT'], logger: pino({ enabled: false }), ...(stateFile ? { stateFile } : {}) });
  sims.push(sim);
  return sim;
}

function config(url: string) {
  return parseAppConfig(
    {
      mode: 'sim',
      dataDir: join(dir, 'data'),
      simulator: { url },
      venues: { binanceusdm: { symbols: ['BTC/USDT:USDT'] } },
      strategies: [
        { id: 'rester', module: 'test/fixtures/actors/resting-orders.ts', subscribe: { venues: ['binanceusdm'] }, params: { venue: 'binanceusdm', symbol: 'BTC/USDT:USDT', qty: 0.002, belowBps: 200, intervalMs: 300 } },
      ],
    },
    'attached-sim config',
  );
}

it('runs against a simulator that keeps running across restarts, resumes its world, and refuses one that lost it', async () => {
  const sim = await simulator(join(dir, 'sim-state.json'));
  const first = await TradingSystem.start(config(sim.url), { noOps: true });
  expect(first.session).toMatchObject({ resumed: false, simWorld: { id: sim.worldId } });
  await eventually(async () => ((await first.status()).orders.sent > 0 ? true : undefined), 'an order sent in the first run', 30_000);
  await first.stop();
  // Still there, with the orders the first run left.
  expect((await sim.control.health()).worldId).toBe(sim.worldId);
  expect((await sim.control.orders({ venue: 'binanceusdm' })).length).toBeGreaterThan(0);

  const second = await TradingSystem.start(config(sim.url), { noOps: true });
  expect(second.session.resumed).toBe(true);
  expect(second.session.simWorld?.id).toBe(sim.worldId);
  expect(second.session.journal.orders).toBeGreaterThan(0);
  await second.stop();

  const forgetful = await simulator();
  await expect(TradingSystem.start(config(forgetful.url), { noOps: true })).rejects.toThrow(/SESSION_MISMATCH: .*the simulator at http:\/\/127\.0\.0\.1:\d+ had no saved world.*--fresh/);
}, 120_000);
