/**
 * Every pre-trade risk rule, denied and allowed, through the execution actor (not only the engine):
 * commands in, events out, orders against the simulator with the real ccxt client, a real journal.
 */
import { describe, expect, it } from 'vitest';
import { message, UNSTAMPED_DECISION } from '../../src/protocol/index.js';
import { monoNowNs } from '../../src/base/clock.js';
import { eventually } from '../helpers/workers.js';
import { midOf, simulatorSuite, type ExecutionUnderTest } from './helpers.js';

const PERP = { venue: 'binanceusdm', symbol: 'BTC/USDT:USDT' } as const;
const SPOT = { venue: 'binance', symbol: 'BTC/USDT' } as const;
const GENEROUS = { maxOrderNotionalUsd: 1e6, maxSymbolNetExposureUsd: 1e6, maxVenueGrossExposureUsd: 1e6, maxGrossExposureUsd: 1e6, defaultStrategyBudgetUsd: 1e6, rateBudget: { capacity: 500, refillPerSecond: 500 } };

const suite = simulatorSuite();
const executions = suite.executions;

/**
 * Buys `buyQty` and sells `sellQty` at market (intents 1 and 2): the round-tripped part locks in a
 * loss (spread and two taker fees) whatever the price does next.
 */
async function lossyRoundTrip(exec: ExecutionUnderTest, buyQty: number, sellQty: number): Promise<void> {
  exec.submit({ intentSeq: 1, ...PERP, qty: buyQty });
  await exec.waitFor('Filled', (e) => e.intentSeq === 1);
  exec.submit({ intentSeq: 2, ...PERP, side: 'sell', qty: sellQty });
  await exec.waitFor('Filled', (e) => e.intentSeq === 2);
}

async function started(risk: Record<string, unknown> | ((strategyId: string) => Record<string, unknown>), options: { feedSymbols?: readonly string[] } = {}) {
  const exec = await executions.start((id) => ({ risk: { ...GENEROUS, ...(typeof risk === 'function' ? risk(id) : risk) } }), options);
  await exec.reconciled();
  return exec;
}

describe('pre-trade risk through the execution actor', () => {
  it('invalid orders, unknown venues and the per-order notional cap', async () => {
    const exec = await started({ maxOrderNotionalUsd: 5_000 });
    exec.submit({ intentSeq: 1, qty: 0 });
    exec.submit({ intentSeq: 2, symbol: 'DOGE/USDT:USDT' });
    exec.submit({ intentSeq: 3, venue: 'okx' });
    exec.submit({ intentSeq: 4, strategyId: 'bad id!' });
    exec.submit({ intentSeq: 5, qty: 0.1 });
    exec.submit({ intentSeq: 6, qty: 0.03 });
    expect(await exec.verdict(1)).toBe('invalid_order');
    expect(await exec.verdict(2)).toBe('invalid_order');
    expect(await exec.verdict(3)).toBe('unknown_venue');
    expect(await exec.verdict(4, 'bad id!')).toBe('invalid_order');
    expect(await exec.verdict(5)).toBe('notional_cap');
    expect(await exec.verdict(6)).toBe('allowed');
    const denial = exec.eventsOf('OrderDenied', (e) => e.intentSeq === 5)[0]!;
    expect(denial.detail).toMatch(/notional .* > maxOrderNotionalUsd 5000/);
  });

  it('net exposure per underlying is netted across venues and spot/perp', async () => {
    const exec = await started({ maxSymbolNetExposureUsd: 3_000 });
    exec.submit({ intentSeq: 1, ...PERP, qty: 0.03 });
    await exec.waitFor('Filled', (e) => e.intentSeq === 1);
    exec.submit({ intentSeq: 2, ...PERP, qty: 0.03 });
    expect(await exec.verdict(2)).toBe('symbol_exposure');
    exec.submit({ intentSeq: 3, ...SPOT, side: 'sell', qty: 0.03 });
    await exec.waitFor('Filled', (e) => e.intentSeq === 3);
    exec.submit({ intentSeq: 4, ...PERP, qty: 0.03 });
    expect(await exec.verdict(4)).toBe('allowed');
  });

  it('gross exposure per venue, in total, and per strategy budget', async () => {
    const exec = await started((id) => ({ maxVenueGrossExposureUsd: 1_500, maxGrossExposureUsd: 2_500, strategyBudgetsUsd: { [`${id}b`]: 500 } }));
    exec.submit({ intentSeq: 1, ...PERP, qty: 0.02 });
    await exec.waitFor('Filled', (e) => e.intentSeq === 1);
    exec.submit({ intentSeq: 2, ...PERP, qty: 0.01 });
    expect(await exec.verdict(2)).toBe('venue_exposure');
    exec.submit({ intentSeq: 3, strategyId: `${exec.strategyId}b`, ...SPOT, qty: 0.005 });
    await exec.waitFor('Filled', (e) => e.intentSeq === 3 && e.strategyId === `${exec.strategyId}b`);
    exec.submit({ intentSeq: 4, strategyId: `${exec.strategyId}b`, ...SPOT, qty: 0.005 });
    expect(await exec.verdict(4, `${exec.strategyId}b`)).toBe('strategy_budget');
    // ~975 more on binance stays under its venue cap but takes the total past 2 500.
    exec.submit({ intentSeq: 5, ...SPOT, qty: 0.015 });
    expect(await exec.verdict(5)).toBe('gross_exposure');
    exec.submit({ intentSeq: 6, ...SPOT, qty: 0.003 });
    expect(await exec.verdict(6)).toBe('allowed');
  });

  it('the open-orders cap counts resting orders and frees a slot on cancel', async () => {
    const exec = await started({ maxOpenOrders: 2 });
    const px = Math.round((await midOf(suite.sim(), PERP.venue, PERP.symbol)) * 0.99 * 10) / 10;
    const resting = { ...PERP, orderType: 'limit' as const, timeInForce: 'PO' as const, limitPx: px };
    exec.submit({ intentSeq: 1, ...resting });
    exec.submit({ intentSeq: 2, ...resting });
    expect(await exec.verdict(1)).toBe('allowed');
    expect(await exec.verdict(2)).toBe('allowed');
    exec.submit({ intentSeq: 3, ...resting });
    expect(await exec.verdict(3)).toBe('open_orders_cap');
    const accepted = exec.eventsOf('OrderAccepted', (e) => e.intentSeq === 1)[0]!;
    exec.send(message('CancelOrder', { ts: monoNowNs(), strategyId: exec.strategyId, clientOrderId: accepted.clientOrderId }));
    await exec.waitFor('Canceled', (e) => e.intentSeq === 1);
    exec.submit({ intentSeq: 4, ...resting });
    expect(await exec.verdict(4)).toBe('allowed');
  });

  it('the price collar against the reference price, and no order without a fresh one', async () => {
    const exec = await started({ priceCollarBps: 100 }, { feedSymbols: [PERP.symbol] });
    const mid = await midOf(suite.sim(), PERP.venue, PERP.symbol);
    exec.submit({ intentSeq: 1, ...PERP, orderType: 'limit', timeInForce: 'IOC', limitPx: Math.round(mid * 1.03) });
    exec.submit({ intentSeq: 2, ...PERP, orderType: 'limit', timeInForce: 'IOC', limitPx: Math.round(mid * 1.004) });
    expect(await exec.verdict(1)).toBe('price_collar');
    expect(await exec.verdict(2)).toBe('allowed');
    exec.submit({ intentSeq: 3, venue: 'binanceusdm', symbol: 'ETH/USDT:USDT', qty: 0.05 });
    expect(await exec.verdict(3)).toBe('no_reference_price');
    exec.feedSymbols = undefined;
    await exec.refreshMarketData();
    // Inputs are polled per port: let the market data land before the next command.
    await exec.harness.settle();
    exec.submit({ intentSeq: 4, venue: 'binanceusdm', symbol: 'ETH/USDT:USDT', qty: 0.05 });
    expect(await exec.verdict(4)).toBe('allowed');
  });

  it('a repeated intent sequence is denied; the same bytes delivered again are ignored', async () => {
    const exec = await started({});
    const command = message('SubmitOrder', { ...UNSTAMPED_DECISION, ts: monoNowNs(), strategyId: exec.strategyId, intentSeq: 7, ...PERP, side: 'buy', orderType: 'market', timeInForce: 'IOC', qty: 0.002, limitPx: null, reduceOnly: false });
    exec.send(command);
    expect(await exec.verdict(7)).toBe('allowed');
    exec.send(command);
    exec.send({ ...command, qty: 0.003 });
    await exec.waitFor('OrderDenied', (e) => e.intentSeq === 7);
    expect(exec.eventsOf('OrderDenied', (e) => e.intentSeq === 7).map((e) => e.reason)).toEqual(['duplicate_intent']);
    expect(exec.harness.status().counters.command_redelivered).toBe(1);
    expect((await suite.sim().control.orders({ venue: PERP.venue })).filter((o) => o.clientOrderId === exec.eventsOf('OrderAccepted', (e) => e.intentSeq === 7)[0]!.clientOrderId)).toHaveLength(1);
  });

  it('orders are denied while reconciling and allowed once it is done', async () => {
    await suite.sim().control.inject({ kind: 'latency', venue: PERP.venue, ms: 1_500 });
    const exec = await executions.start({ risk: GENEROUS });
    exec.submit({ intentSeq: 1, ...PERP, qty: 0.002 });
    expect(await exec.verdict(1)).toBe('reconciling');
    await suite.sim().control.inject({ kind: 'latency', venue: PERP.venue, ms: 0 });
    await exec.reconciled();
    exec.submit({ intentSeq: 2, ...PERP, qty: 0.002 });
    expect(await exec.verdict(2)).toBe('allowed');
  });

  it('circuit breaker: N consecutive venue failures open it for the cool-down', async () => {
    const exec = await started({ breakerFailureThreshold: 2, breakerCoolDownMs: 60_000 });
    exec.submit({ intentSeq: 1, ...PERP, qty: 0.002 });
    expect(await exec.verdict(1)).toBe('allowed');
    await suite.sim().control.inject({ kind: 'reject-orders', venue: PERP.venue, count: 2 });
    exec.submit({ intentSeq: 2, ...PERP, qty: 0.002 });
    expect(await exec.verdict(2)).toMatch(/^rejected:/);
    exec.submit({ intentSeq: 3, ...PERP, qty: 0.002 });
    expect(await exec.verdict(3)).toMatch(/^rejected:/);
    exec.submit({ intentSeq: 4, ...PERP, qty: 0.002 });
    expect(await exec.verdict(4)).toBe('circuit_open');
    expect(exec.eventsOf('OrderDenied', (e) => e.intentSeq === 4)[0]!.detail).toMatch(/breaker venue:binanceusdm open until .* after 2 consecutive failures/);
  });

  it('rate budget: orders beyond the burst are throttled, and denied only past maxRateWaitMs', async () => {
    const exec = await started({ rateBudgetByVenue: { binanceusdm: { capacity: 2, refillPerSecond: 2 } }, maxRateWaitMs: 700 });
    for (let seq = 1; seq <= 4; seq++) exec.submit({ intentSeq: seq, ...PERP, qty: 0.002 });
    expect(await exec.verdict(4)).toBe('rate_budget');
    for (const seq of [1, 2, 3]) await exec.waitFor('Filled', (e) => e.intentSeq === seq);
    const ids = [1, 2, 3].map((seq) => exec.eventsOf('Filled', (e) => e.intentSeq === seq)[0]!.clientOrderId);
    const received = await suite.sim().control.orders({ venue: PERP.venue });
    const at = ids.map((id) => received.find((o) => o.clientOrderId === id)!.receivedMs);
    // The third order waited for half a second of refill; the first two went out at once.
    expect(at[1]! - at[0]!).toBeLessThan(200);
    expect(at[2]! - at[0]!).toBeGreaterThanOrEqual(400);
    expect(exec.eventsOf('OrderDenied', (e) => e.intentSeq === 4)[0]!.detail).toMatch(/needs \d+ ms for 1 request\(s\) > maxRateWaitMs 700/);
  });

  it('kill switch: halt cancels every open order and denies new ones; REDUCING lets only reducing orders through; resume', async () => {
    const exec = await started({});
    const px = Math.round((await midOf(suite.sim(), PERP.venue, PERP.symbol)) * 0.99 * 10) / 10;
    exec.submit({ intentSeq: 1, ...PERP, qty: 0.01 });
    exec.submit({ intentSeq: 2, ...PERP, orderType: 'limit', timeInForce: 'GTC', limitPx: px });
    exec.submit({ intentSeq: 3, ...SPOT, orderType: 'limit', timeInForce: 'GTC', limitPx: px, qty: 0.002 });
    await exec.waitFor('Filled', (e) => e.intentSeq === 1);
    for (const seq of [2, 3]) await exec.waitFor('OrderAccepted', (e) => e.intentSeq === seq);
    expect(await exec.harness.command('halt', { reason: 'test' })).toEqual({ state: 'HALTED', canceling: 2 });
    await exec.waitFor('TradingStateChanged', (e) => e.state === 'HALTED');
    for (const seq of [2, 3]) await exec.waitFor('Canceled', (e) => e.intentSeq === seq);
    await eventually(async () => ((await suite.sim().control.accounts()).every((a) => a.openOrders === 0) ? true : undefined), 'no open orders at the simulator');
    exec.submit({ intentSeq: 4, ...PERP, qty: 0.002 });
    expect(await exec.verdict(4)).toBe('halted');

    await exec.harness.command('reduce', { reason: 'test' });
    exec.submit({ intentSeq: 5, ...PERP, qty: 0.002 });
    exec.submit({ intentSeq: 6, ...PERP, side: 'sell', qty: 0.005, reduceOnly: true });
    expect(await exec.verdict(5)).toBe('reducing');
    expect(await exec.verdict(6)).toBe('allowed');
    await exec.harness.command('resume', { reason: 'test' });
    exec.submit({ intentSeq: 7, ...PERP, qty: 0.002 });
    expect(await exec.verdict(7)).toBe('allowed');
    expect(exec.status().denialsByReason).toMatchObject({ halted: 1, reducing: 1 });
  });

  it('drawdown moves to REDUCING: increasing orders denied, reducing ones allowed', async () => {
    const exec = await started({ maxDrawdownUsd: 0.5, drawdownState: 'REDUCING', maxDailyLossUsd: 1e6 });
    await lossyRoundTrip(exec, 0.04, 0.02);
    await exec.waitFor('TradingStateChanged', (e) => e.state === 'REDUCING');
    exec.submit({ intentSeq: 3, ...PERP, qty: 0.002 });
    exec.submit({ intentSeq: 4, ...PERP, side: 'sell', qty: 0.02 });
    expect(await exec.verdict(3)).toBe('drawdown');
    expect(await exec.verdict(4)).toBe('allowed');
  });

  it('daily loss moves to HALTED', async () => {
    const exec = await started({ maxDailyLossUsd: 0.5, dailyLossState: 'HALTED', maxDrawdownUsd: 1e6 });
    await lossyRoundTrip(exec, 0.02, 0.02);
    await exec.waitFor('TradingStateChanged', (e) => e.state === 'HALTED');
    exec.submit({ intentSeq: 3, ...PERP, side: 'sell', qty: 0.002 });
    expect(await exec.verdict(3)).toBe('daily_loss');
  });

  it('the kill switch and the loss baseline survive a restart (journaled, not in memory)', async () => {
    const first = await started({ maxDailyLossUsd: 1e6 });
    const dataDir = (first.status().journal).replace(/\/execution\.sqlite$/, '');
    await lossyRoundTrip(first, 0.02, 0.02);
    await first.stop();
    // Same journal, a tighter limit: the ~1.4 lost before the restart already counts today.
    const second = await executions.start({ dataDir, risk: { ...GENEROUS, maxDailyLossUsd: 1, dailyLossState: 'HALTED' } });
    await second.waitFor('TradingStateChanged', (e) => e.state === 'HALTED' && e.reason.includes('daily loss'));
    await second.harness.command('resume', { reason: 'test' });
    await second.harness.command('halt', { reason: 'before restart' });
    await second.stop();
    const third = await executions.start({ dataDir, risk: GENEROUS });
    await third.reconciled();
    third.submit({ intentSeq: 3, strategyId: first.strategyId, ...PERP, qty: 0.002 });
    expect(await third.verdict(3, first.strategyId)).toBe('halted');
  });
});
