/**
 * Balances end to end: the simulator's accounts, the real ccxt client, the execution actor with a
 * SQLite journal. What execution reports and publishes must equal what the simulator holds, after
 * fills and funding; and the spot-spread strategy, fed what execution published, is refused with
 * `insufficient_balance` when it would sell more than the venue holds.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { AssetBalance, CommandMessage, MessageOf, VenueBalanceStatus } from '../../src/protocol/index.js';
import type { AccountView } from '../../src/sim/control/types.js';
import type { Simulator } from '../../src/sim/simulator.js';
import { makeClientOrderId } from '../../src/trading/orders/client-order-id.js';
import { spotSpreadEngine } from '../../src/trading/strategy/spot-spread.js';
import { applyMarketData } from '../../src/trading/strategy/market-view.js';
import { eventually } from '../helpers/workers.js';
import { executionParams, marketDataFrom, startTestSimulator, tempDir, uniqueStrategyId, ExecutionUnderTest } from './helpers.js';

const RISK = { maxOrderNotionalUsd: 1e6, maxSymbolNetExposureUsd: 1e7, maxVenueGrossExposureUsd: 1e7, maxGrossExposureUsd: 1e7, defaultStrategyBudgetUsd: 1e7, rateBudget: { capacity: 500, refillPerSecond: 500 } };

const started: { exec: ExecutionUnderTest; remove: () => void }[] = [];
async function startExecution(sim: Simulator, venues: string[]): Promise<ExecutionUnderTest> {
  const { dir, remove } = tempDir();
  const params = executionParams(sim.url, dir, { venues: venues.map((id) => ({ id, symbols: [id === 'binanceusdm' ? 'BTC/USDT:USDT' : 'BTC/USDT'] })), risk: RISK, balances: { refreshMs: 100 } });
  const exec = await ExecutionUnderTest.start(sim, params);
  started.push({ exec, remove });
  await exec.reconciled();
  return exec;
}
afterEach(async () => {
  for (const { exec, remove } of started.splice(0)) {
    await exec.stop();
    remove();
  }
});

/** What a venue's balance endpoint must show for the simulator's account: wallets, plus unrealized PnL in the settle asset. */
function expectedTotals(account: AccountView): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const [asset, b] of Object.entries(account.balances)) totals[asset] = b.free + b.locked;
  for (const p of account.positions) totals.USDT = (totals.USDT ?? 0) + p.unrealizedPnl; // every simulated perp settles in USDT
  return totals;
}

const byAsset = (balances: readonly AssetBalance[]): Record<string, AssetBalance> => Object.fromEntries(balances.map((b) => [b.asset, b]));

/** True when Arbiter's balances of `venue` are the simulator's, to float noise. */
function matches(reported: VenueBalanceStatus | undefined, account: AccountView, spot: boolean): boolean {
  if (!reported) return false;
  const mine = byAsset(reported.balances);
  return Object.entries(expectedTotals(account)).every(([asset, total]) => {
    const b = mine[asset];
    if (!b || Math.abs(b.total - total) > 1e-6 * Math.max(1, total)) return false;
    const sim = account.balances[asset]!;
    return !spot || (Math.abs(b.free - sim.free) < 1e-9 && Math.abs(b.used - sim.locked) < 1e-9);
  });
}

describe('balances: what Arbiter reports equals the simulator', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startTestSimulator({ startingBalances: { binance: { USDT: 20_000, BTC: 0.2 }, binanceusdm: { USDT: 30_000 } } });
  });
  afterAll(() => sim?.stop());

  it('at start, after spot and perp fills, and after a funding settlement', async () => {
    const exec = await startExecution(sim, ['binance', 'binanceusdm']);
    const first = exec.status().balances;
    expect(byAsset(first.binance!.balances)).toMatchObject({ USDT: { free: 20_000, used: 0, total: 20_000 }, BTC: { free: 0.2, used: 0, total: 0.2 } });
    expect(byAsset(first.binanceusdm!.balances).USDT).toMatchObject({ free: 30_000, total: 30_000 });
    expect(first.binance).toMatchObject({ account: 'BINANCE', simulated: false, failures: 0, lastError: null });
    await exec.waitFor('BalanceChanged', (e) => e.venue === 'binance' && byAsset(e.balances).BTC?.free === 0.2);

    exec.submit({ intentSeq: 1, venue: 'binance', symbol: 'BTC/USDT', side: 'sell', qty: 0.05 });
    exec.submit({ intentSeq: 2, venue: 'binanceusdm', symbol: 'BTC/USDT:USDT', side: 'buy', qty: 0.1 });
    await exec.waitFor('Filled', (e) => e.intentSeq === 1);
    await exec.waitFor('Filled', (e) => e.intentSeq === 2);
    const [settlement] = await sim.control.settleFunding('binanceusdm', 'BTC/USDT:USDT');
    expect(settlement!.rate).not.toBe(0);
    await sim.control.setMarketPaused(true); // marks stop moving, so unrealized PnL holds still
    try {
      const accounts = await sim.control.accounts();
      const account = (venue: string): AccountView => accounts.find((a) => a.venue === venue && a.accountId === 'arbiter-sim')!;
      expect(account('binance').balances.BTC!.free).toBeCloseTo(0.15, 12);
      expect(account('binanceusdm').positions[0]!.fundingPnl).not.toBe(0);
      await eventually(() => {
        const status = exec.status().balances;
        return matches(status.binance, account('binance'), true) && matches(status.binanceusdm, account('binanceusdm'), false) ? true : undefined;
      }, 'balances equal to the simulator', 10_000);
      // Strategies receive the same figures.
      const usdt = expectedTotals(account('binanceusdm')).USDT!;
      await exec.waitFor('BalanceChanged', (e) => e.venue === 'binanceusdm' && Math.abs(byAsset(e.balances).USDT!.total - usdt) < 1e-6 * usdt);
      expect(exec.status().balances.binanceusdm!.ageMs).toBeGreaterThanOrEqual(0);
    } finally {
      await sim.control.setMarketPaused(false);
    }
  });
});

describe('balances: a spread that would sell more than the venue holds', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startTestSimulator({ venues: ['binance', 'bybit'], symbols: ['BTC/USDT'], startingBalances: { binance: { USDT: 50_000, BTC: 0.01 }, bybit: { USDT: 50_000, BTC: 0.01 } } });
  });
  afterAll(() => sim?.stop());

  /**
   * A spot-spread engine that acts on any cross (minSpreadBps far below zero), fed what execution
   * published (balances, market rules) and the simulator's books (paused by the test, so its IOC legs at the touch fill).
   */
  async function spreadCommand(exec: ExecutionUnderTest, strategyId: string): Promise<MessageOf<'SubmitMultiLeg'>> {
    for (const venue of ['binance', 'bybit']) await exec.waitFor('BalanceChanged', (e) => e.venue === venue);
    const params = spotSpreadEngine.parseParams({ venues: ['binance', 'bybit'], symbols: ['BTC/USDT'], minSpreadBps: -10_000, minNotionalUsd: 0, actOnTick: false });
    const nowMs = Date.now();
    const state = spotSpreadEngine.init(strategyId, params, { wallMs: () => nowMs, bookMs: () => performance.now() });
    for (const event of exec.eventsOf('BalanceChanged')) spotSpreadEngine.onBalanceChanged!(state, event, params);
    for (const rules of exec.eventsOf('MarketRules')) state.rules.apply(rules);
    for (const md of await marketDataFrom(sim)) applyMarketData(state.market, md);
    const commands: CommandMessage[] = spotSpreadEngine.evaluate(state, params, nowMs).commands;
    expect(commands).toHaveLength(1);
    return commands[0] as MessageOf<'SubmitMultiLeg'>;
  }

  it('two strategies on one account both see 0.01 BTC: the second sell is refused before it is sent', async () => {
    const exec = await startExecution(sim, ['binance', 'bybit']);
    await sim.control.setMarketPaused(true); // the touches hold still: both IOC legs of the first command fill
    onTestFinished(() => sim.control.setMarketPaused(false));
    const first = await spreadCommand(exec, exec.strategyId);
    const second = await spreadCommand(exec, uniqueStrategyId());
    const sell = first.legs.find((leg) => leg.side === 'sell')!;
    expect(sell.qty).toBe(0.01); // all the BTC the selling venue holds
    expect(second.legs.find((leg) => leg.side === 'sell')).toMatchObject({ venue: sell.venue, qty: 0.01 });

    exec.send(first);
    exec.send(second); // right behind it: the venue's balance has not moved yet
    const denied = await exec.waitFor('OrderDenied', (e) => e.strategyId === second.strategyId);
    expect(denied.reason).toBe('insufficient_balance');
    expect(denied.detail).toMatch(new RegExp(`sell 0\\.01 BTC/USDT@${sell.venue}: needs 0\\.01 BTC on ${sell.venue}, 0 available \\(free less orders in flight\\)`));
    await exec.waitFor('Filled', (e) => e.strategyId === first.strategyId && e.venue === sell.venue);
    // The first strategy's legs reached the simulator, nothing of the second's did.
    const received = new Set((await sim.control.orders()).map((o) => o.clientOrderId));
    const idsOf = (command: MessageOf<'SubmitMultiLeg'>): string[] => command.legs.map((leg, i) => makeClientOrderId({ strategyId: command.strategyId, intentSeq: command.intentSeq, leg: i, attempt: 0 }, leg.venue));
    expect(idsOf(first).map((id) => received.has(id))).toEqual([true, true]);
    expect(idsOf(second).map((id) => received.has(id))).toEqual([false, false]);
    // The venue's balance after the fill reaches the strategies: the selling venue holds no BTC.
    await exec.waitFor('BalanceChanged', (e) => e.venue === sell.venue && (byAsset(e.balances).BTC?.free ?? 0) === 0);
    expect(exec.status().denialsByReason).toEqual({ insufficient_balance: 1 });
  });
});
