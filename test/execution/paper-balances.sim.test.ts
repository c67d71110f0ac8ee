/**
 * Balances in paper mode: the execution actor's simulated account starts from
 * `paper.startingBalances`, is published as BalanceChanged marked simulated, moves with the fill
 * model's fills, and pre-trade risk refuses what it cannot pay for. Paper reads the venues'
 * market rules from ccxt's markets: the simulator stands in for the public venues (`simUrl`).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { message, UNSTAMPED_DECISION, type ExecutionStatus, type Message, type MessageOf } from '../../src/protocol/index.js';
import { ActorHarness } from '../helpers/actor-harness.js';
import { eventually } from '../helpers/workers.js';
import execution from '../../actors/execution/execution.js';
import type { Simulator } from '../../src/sim/simulator.js';
import { EventCollector, startTestSimulator, tempDir } from './helpers.js';

const VENUE = 'binance';
const SYMBOL = 'BTC/USDT';
const PERP_VENUE = 'binanceusdm';
const PERP = 'BTC/USDT:USDT';
const cleanup: (() => Promise<void> | void)[] = [];
let sim: Simulator;
beforeAll(async () => {
  sim = await startTestSimulator({ venues: [VENUE, PERP_VENUE], symbols: [SYMBOL] });
});
afterAll(async () => {
  await sim.stop();
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function paperExecution(): Promise<{ harness: ActorHarness; events: EventCollector; status: () => ExecutionStatus }> {
  const tmp = tempDir('arbiter-paper-balances-');
  cleanup.push(() => tmp.remove());
  const params = { mode: 'paper', venues: [{ id: VENUE, symbols: [SYMBOL], simUrl: sim.url }, { id: PERP_VENUE, symbols: [PERP], simUrl: sim.url }], dataDir: tmp.dir, durability: 'normal', paper: { latencyMs: 0, startingBalances: { binance: { USDT: 10_000, BTC: 0.1 } } }, balances: { refreshMs: 60_000 } };
  const harness = await ActorHarness.start(execution, { params, inputs: ['commands', 'md'], outputs: ['events'] });
  cleanup.push(() => harness.stop());
  const status = (): ExecutionStatus => harness.status().custom as ExecutionStatus;
  harness.push('md', message('BookTop', { ts: 1, venue: VENUE, symbol: SYMBOL, bidPx: 50_000, bidSz: 5, askPx: 50_010, askSz: 5, venueSeq: 1, exchangeTimeMs: Date.now() }));
  harness.push('md', message('BookTop', { ts: 1, venue: PERP_VENUE, symbol: PERP, bidPx: 50_000, bidSz: 5, askPx: 50_010, askSz: 5, venueSeq: 1, exchangeTimeMs: Date.now() }));
  await eventually(() => (status()?.reconciliation.state === 'done' && Object.values(status().balances).every((b) => b.fetchedMs !== null) ? true : undefined), 'reconciled with balances');
  return { harness, events: new EventCollector(harness), status };
}

const sell = (intentSeq: number, qty: number): Message =>
  message('SubmitOrder', { ...UNSTAMPED_DECISION, ts: 1, strategyId: 'paper', intentSeq, venue: VENUE, symbol: SYMBOL, side: 'sell', orderType: 'market', timeInForce: 'IOC', qty, limitPx: null, reduceOnly: false });

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

  it('a funding settlement refreshes the account at once (refreshMs is a minute here)', async () => {
    const { harness, events } = await paperExecution();
    const usdtTotal = (e: MessageOf<'BalanceChanged'>): number => e.balances.find((b) => b.asset === 'USDT')!.total;
    harness.push('commands', message('SubmitOrder', { ...UNSTAMPED_DECISION, ts: 1, strategyId: 'paper', intentSeq: 1, venue: PERP_VENUE, symbol: PERP, side: 'buy', orderType: 'market', timeInForce: 'IOC', qty: 0.1, limitPx: null, reduceOnly: false }));
    const filled = await events.waitFor('Filled', (e) => e.intentSeq === 1);
    const afterFill = 100_000 - filled.fee; // the default simulated account: 100 000 USDT
    await events.waitFor('BalanceChanged', (e) => e.venue === PERP_VENUE && Math.abs(usdtTotal(e) - afterFill) < 1e-9);
    harness.push('md', message('FundingRate', { ts: 1, venue: PERP_VENUE, symbol: PERP, rate: 0.001, intervalHours: 8, nextFundingTimeMs: Date.now() + 8 * 3_600_000, settled: true, exchangeTimeMs: Date.now() }));
    const funding = await events.waitFor('FundingSettled');
    expect(funding.amount).toBeLessThan(0); // a long pays positive funding
    const after = await events.waitFor('BalanceChanged', (e) => e.venue === PERP_VENUE && usdtTotal(e) < afterFill - 1e-9);
    expect(usdtTotal(after)).toBeCloseTo(afterFill + funding.amount, 9);
  });
});
