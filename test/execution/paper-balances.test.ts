/**
 * Balances in paper mode: the execution actor's simulated account starts from
 * `paper.startingBalances`, is published as BalanceChanged marked simulated, moves with the fill
 * model's fills, and pre-trade risk refuses what it cannot pay for.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { message, type ExecutionStatus, type Message } from '../../src/protocol/index.js';
import { ActorHarness } from '../helpers/actor-harness.js';
import { eventually } from '../helpers/workers.js';
import execution from '../../actors/execution/execution.js';
import { EventCollector, tempDir } from './helpers.js';

const VENUE = 'binance';
const SYMBOL = 'BTC/USDT';
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function paperExecution(): Promise<{ harness: ActorHarness; events: EventCollector; status: () => ExecutionStatus }> {
  const tmp = tempDir('arbiter-paper-balances-');
  cleanup.push(() => tmp.remove());
  const params = { mode: 'paper', venues: [{ id: VENUE }], dataDir: tmp.dir, durability: 'normal', paper: { latencyMs: 0, startingBalances: { binance: { USDT: 10_000, BTC: 0.1 } } }, balances: { refreshMs: 60_000 } };
  const harness = await ActorHarness.start(execution, { params, inputs: ['commands', 'md'], outputs: ['events'] });
  cleanup.push(() => harness.stop());
  const status = (): ExecutionStatus => harness.status().custom as ExecutionStatus;
  harness.push('md', message('BookTop', { ts: 1, venue: VENUE, symbol: SYMBOL, bidPx: 50_000, bidSz: 5, askPx: 50_010, askSz: 5, venueSeq: 1, exchangeTimeMs: Date.now() }));
  await eventually(() => (status()?.reconciliation.state === 'done' && status().balances.binance?.fetchedMs != null ? true : undefined), 'reconciled with balances');
  return { harness, events: new EventCollector(harness), status };
}

const sell = (intentSeq: number, qty: number): Message =>
  message('SubmitOrder', { ts: 1, strategyId: 'paper', intentSeq, venue: VENUE, symbol: SYMBOL, side: 'sell', orderType: 'market', timeInForce: 'IOC', qty, limitPx: null, reduceOnly: false });

describe('paper balances', () => {
  it('start from paper.startingBalances, refuse a sell beyond them, and follow the fills', async () => {
    const { harness, events, status } = await paperExecution();
    const first = await events.waitFor('BalanceChanged', (e) => e.venue === VENUE);
    expect(first).toMatchObject({ account: 'BINANCE', simulated: true });
    expect(first.balances).toEqual([
      { asset: 'USDT', free: 10_000, used: 0, total: 10_000 },
      { asset: 'BTC', free: 0.1, used: 0, total: 0.1 },
    ]);

    harness.push('commands', sell(1, 0.2));
    const denied = await events.waitFor('OrderDenied', (e) => e.intentSeq === 1);
    expect(denied).toMatchObject({ reason: 'insufficient_balance', detail: expect.stringMatching(/needs 0\.2 BTC on binance, 0\.1 available/) });

    harness.push('commands', sell(2, 0.04));
    const filled = await events.waitFor('Filled', (e) => e.intentSeq === 2);
    const after = await events.waitFor('BalanceChanged', (e) => e.balances.some((b) => b.asset === 'BTC' && Math.abs(b.free - 0.06) < 1e-12));
    const usdt = after.balances.find((b) => b.asset === 'USDT')!;
    expect(usdt.free).toBeCloseTo(10_000 + 0.04 * filled.fillPx - filled.fee, 9);
    expect(status().balances.binance).toMatchObject({ simulated: true, reserved: {} });
  });
});
