/**
 * Absurd marks must not reach execution's PnL or risk: a 1e308 and a 0.0001 mark for a perp the
 * strategy holds are dropped by execution's book (counted), the position keeps its PnL at the last
 * good mark, and the loss limits see only genuine moves. Before the price guard the 1e308 mark was
 * a 2e306 gain (the equity peak), the 0.0001 mark a drawdown of as much, and the strategy sat in
 * REDUCING for the rest of the run.
 */
import { describe, expect, it } from 'vitest';
import { message } from '../../src/protocol/index.js';
import { monoNowNs } from '../../src/base/clock.js';
import { eventually } from '../helpers/workers.js';
import { simulatorSuite } from './helpers.js';

const PERP = { venue: 'binanceusdm', symbol: 'BTC/USDT:USDT' } as const;
const GENEROUS = { maxOrderNotionalUsd: 1e6, maxSymbolNetExposureUsd: 1e6, maxVenueGrossExposureUsd: 1e6, maxGrossExposureUsd: 1e6, defaultStrategyBudgetUsd: 1e6, rateBudget: { capacity: 500, refillPerSecond: 500 } };

const suite = simulatorSuite();

const mark = (markPx: number) => message('MarkPrice', { ts: monoNowNs(), ...PERP, markPx, indexPx: markPx, exchangeTimeMs: Date.now() });

describe('absurd marks', () => {
  it('never move the PnL or the trading state; a genuine move still does', async () => {
    const exec = await suite.executions.start({ risk: { ...GENEROUS, maxDrawdownUsd: 5, drawdownState: 'REDUCING', maxDailyLossUsd: 1e6 } });
    await exec.reconciled();
    exec.submit({ intentSeq: 1, ...PERP, qty: 0.02 });
    const fill = await exec.waitFor('Filled', (e) => e.intentSeq === 1);
    // From here on only the test sends the perp's mark (the feed loop keeps the spot book fresh).
    exec.feedSymbols = ['BTC/USDT'];
    const good = fill.fillPx;
    exec.harness.push('md', mark(good));
    const position = () => exec.status().positions.find((p) => p.strategyId === exec.strategyId && p.symbol === PERP.symbol)!;
    await eventually(() => (position().markPx === good ? true : undefined), 'the good mark taken');

    // Handled when either it was counted as rejected or it moved the position's mark.
    const rejected = () => exec.harness.status().errorsByReason['price_out_of_band'] ?? 0;
    const handled = (n: number) => () => (rejected() >= n || position().markPx !== good ? true : undefined);
    exec.harness.push('md', mark(1e308));
    await eventually(handled(1), 'the 1e308 mark handled');
    expect(position().markPx).toBe(good);
    exec.harness.push('md', mark(0.0001));
    await eventually(handled(2), 'the 0.0001 mark handled');
    expect(position()).toMatchObject({ markPx: good, qty: 0.02 });
    expect(Math.abs(position().unrealizedPnl)).toBeLessThan(1);

    // A genuine 3 % fall (within the band) costs 0.02 × 3 % of the price: well past 5 USD of
    // drawdown, measured from the genuine peak, not from a 1e308 one.
    exec.harness.push('md', mark(good * 0.97));
    const changed = await exec.waitFor('TradingStateChanged', (e) => e.state !== 'ACTIVE', 15_000);
    expect(changed).toMatchObject({ state: 'REDUCING' });
    const drawdown = Number(/drawdown ([\d.e+]+)/.exec(changed.reason)?.[1]);
    expect(drawdown).toBeGreaterThan(5);
    expect(drawdown).toBeLessThan(0.02 * good * 0.05);
    expect(exec.eventsOf('TradingStateChanged', (e) => e.state === 'HALTED')).toEqual([]);
  });
});
