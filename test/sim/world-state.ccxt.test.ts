/**
 * The simulator's account world survives a restart from its state file: positions, balances,
 * resting orders and the id counters continue (so a second run's trade ids never collide with
 * the first run's), and a state file made under another seed is refused with a clear message.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Simulator } from '../../src/sim/simulator.js';
import { ccxtClient, startTestSimulator } from './helpers.js';

const PERP = 'BTC/USDT:USDT';
const dirs: string[] = [];
const sims: Simulator[] = [];

function stateFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'arbiter-world-'));
  dirs.push(dir);
  return join(dir, 'sim-state.json');
}

async function start(file: string, seed = 3): Promise<Simulator> {
  const sim = await startTestSimulator({ seed, venues: ['binanceusdm'], symbols: ['BTC/USDT'], stateFile: file });
  sims.push(sim);
  return sim;
}

afterEach(async () => {
  await Promise.all(sims.splice(0).map((sim) => sim.stop()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('simulator world state', () => {
  it('restores positions, resting orders and id counters after a restart', async () => {
    const file = stateFile();
    const first = await start(file);
    expect(first.restored).toBe(false);
    const client = await ccxtClient('binanceusdm', first);
    await client.loadMarkets();
    const bought = await client.createOrder(PERP, 'market', 'buy', 0.01);
    const [top] = await first.control.books('binanceusdm');
    const resting = await client.createOrder(PERP, 'limit', 'buy', 0.01, Number(client.priceToPrecision(PERP, top!.markPrice * 0.9)));
    const firstTrades = await client.fetchMyTrades(PERP);
    // The market restarts from the seed (marks differ); the accounts are what must continue.
    const accountsOf = async (sim: Simulator): Promise<unknown> =>
      (await sim.control.accounts('binanceusdm')).map(({ positions, ...rest }) => ({ ...rest, positions: positions.map(({ markPrice: _m, unrealizedPnl: _u, ...p }) => p) }));
    const positionsBefore = await accountsOf(first);
    expect(JSON.stringify(positionsBefore)).toContain('"quantity":0.01');
    await first.stop();

    const second = await start(file);
    expect(second.restored).toBe(true);
    expect(second.worldId).toBe(first.worldId);
    expect(await accountsOf(second)).toEqual(positionsBefore);
    const again = await ccxtClient('binanceusdm', second);
    await again.loadMarkets();
    expect((await again.fetchOpenOrders(PERP)).map((o) => o.id)).toEqual([resting.id]);
    expect((await again.fetchOrder(bought.id as string, PERP)).status).toBe('closed');
    const next = await again.createOrder(PERP, 'market', 'sell', 0.01);
    expect(Number(next.id)).toBeGreaterThan(Number(resting.id));
    const trades = await again.fetchMyTrades(PERP);
    const ids = trades.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(firstTrades.map((t) => t.id)));
    expect(trades.length).toBeGreaterThan(firstTrades.length);
  });

  it('refuses a state file made under another seed and says how to continue', async () => {
    const file = stateFile();
    await (await start(file, 3)).stop();
    await expect(start(file, 4)).rejects.toThrow(/seed 3.*seed 4.*--fresh/);
  });

  it('starts a new world, with a new id, when the state file is absent', async () => {
    const a = await start(stateFile());
    const b = await start(stateFile());
    expect(a.restored || b.restored).toBe(false);
    expect(a.worldId).not.toBe(b.worldId);
  });
});
