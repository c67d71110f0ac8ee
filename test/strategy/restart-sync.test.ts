/**
 * After a restart or reload a strategy knows only what execution's position sync tells it: it
 * trades nothing before that, rebuilds its carries from matched legs, and hands any other held
 * position to `unattributedPositions` (never closing one leg of a pair).
 */
import { describe, expect, it } from 'vitest';
import { message } from '../../src/protocol/index.js';
import carry from '../../actors/strategy/funding-carry.js';
import hedge from '../../actors/strategy/spot-perp-hedge.js';
import spread from '../../actors/strategy/spot-spread.js';
import { allMarketRules, filled, funding, levels, opportunityFor, runnerFor, syncedPosition, top, type MultiLeg, type StrategyRun } from './helpers.js';

const PERP = 'BTC/USDT:USDT';
const SPOT = 'BTC/USDT';
const QTY = 0.08333;
const WAITING = "waiting for execution's position sync";

const startHedge = runnerFor(hedge, { spotVenue: 'binance', perpVenue: 'binanceusdm', symbols: [PERP], balances: { binance: { USDT: 100_000, BTC: QTY } }, actOnTick: false }, allMarketRules({ amountStep: 0.00001 }));
const startCarry = runnerFor(carry, { venues: ['binanceusdm', 'bybit'], symbols: [PERP], actOnTick: false });
const startSpread = runnerFor(spread, { venues: ['binance', 'bybit'], symbols: [SPOT], balances: { binance: { BTC: 1, USDT: 100_000 }, bybit: { BTC: 1, USDT: 100_000 } }, actOnTick: false });

/** Extreme positive perp funding: a fresh hedge enters at once. */
function hedgeMarket(run: StrategyRun, rate = 0.0004): void {
  run.push(levels('binanceusdm', PERP, 59_997, 60_003), levels('binance', SPOT, 59_994, 60_006), funding('binanceusdm', PERP, rate, 4));
}

/** bybit pays far more than binanceusdm: a fresh carry shorts bybit, longs binanceusdm. */
function carryMarket(run: StrategyRun): void {
  for (const [venue, rate] of [['bybit', 0.0002], ['binanceusdm', 0.00005]] as const) run.push(levels(venue, PERP, 59_997, 60_003), funding(venue, PERP, rate, 1));
}


describe('position sync: nothing trades before it', () => {
  it('spot-perp-hedge holds every key with the reason until execution syncs, then enters', async () => {
    const run = await startHedge({}, { sync: 'none' });
    hedgeMarket(run);
    const before = await run.evaluate();
    expect(before.intents).toEqual([]);
    expect(opportunityFor(before.opportunities, PERP)).toMatchObject({ decision: 'hold', reason: WAITING });
    expect(run.status().sync).toBe(WAITING);
    run.sync({});
    hedgeMarket(run);
    const after = await run.evaluate();
    expect(after.intents).toEqual([expect.objectContaining({ type: 'SubmitMultiLeg' })]);
    expect(run.status().sync).toBe('synced');
  });

  it('spot-spread does not trade a cross before the sync', async () => {
    const run = await startSpread({}, { sync: 'none' });
    run.push(top('binance', SPOT, 60_000, 0.5, 60_006, 0.5, run.clock.monoNs() + 100), top('bybit', SPOT, 60_200, 0.3, 60_206, 0.3, run.clock.monoNs() + 200));
    const before = await run.evaluate();
    expect(before.intents).toEqual([]);
    expect(opportunityFor(before.opportunities, SPOT).reason).toMatch(/^waiting for execution's position sync/);
    run.sync({});
    run.push(top('binance', SPOT, 60_000, 0.5, 60_006, 0.5, run.clock.monoNs() + 300), top('bybit', SPOT, 60_200, 0.3, 60_206, 0.3, run.clock.monoNs() + 400));
    expect((await run.evaluate()).intents).toEqual([expect.objectContaining({ type: 'SubmitMultiLeg' })]);
  });

  it('an intent execution reports in flight from before the restart holds trading until its legs are answered', async () => {
    const run = await startHedge({}, { sync: { intents: [{ intentSeq: 7, openLegs: 1, state: 'unknown' }] } });
    hedgeMarket(run);
    const held = await run.evaluate();
    expect(held.intents).toEqual([]);
    expect(opportunityFor(held.opportunities, PERP).reason).toBe('waiting for intent 7 sent before the restart (unknown, 1 leg(s) open)');
    run.push(message('Canceled', { ts: 2_000, strategyId: run.strategyId, clientOrderId: 'c7x0', intentSeq: 7, leg: 0, venue: 'binanceusdm', symbol: PERP, cumQty: 0, reason: 'IOC' }));
    hedgeMarket(run);
    expect((await run.evaluate()).intents).toEqual([expect.objectContaining({ type: 'SubmitMultiLeg' })]);
  });
});

describe('position sync: carries rebuilt from the journaled legs', () => {
  it('spot-perp-hedge: a synced short perp and long spot of the same size is the open hedge: no second entry', async () => {
    const run = await startHedge({}, { sync: { positions: [syncedPosition('binanceusdm', PERP, -QTY, 59_997), syncedPosition('binance', SPOT, QTY * 0.999, 60_006)] } });
    hedgeMarket(run);
    const { intents, opportunities } = await run.evaluate();
    expect(intents).toEqual([]);
    expect(opportunityFor(opportunities, PERP)).toMatchObject({ decision: 'hold', reason: expect.stringMatching(/^holding 0 h: funding edge/) });
    expect(run.status().carries).toEqual([expect.objectContaining({ key: PERP, short: `${PERP}@binanceusdm`, long: `${SPOT}@binance`, qty: QTY * 0.999, phase: 'open' })]);
  });

  it('spot-perp-hedge: the rebuilt hedge exits both legs together when funding turns', async () => {
    const run = await startHedge({}, { sync: { positions: [syncedPosition('binanceusdm', PERP, -QTY, 59_997), syncedPosition('binance', SPOT, QTY, 60_006)] } });
    hedgeMarket(run, 0);
    const { intents } = await run.evaluate();
    expect((intents[0] as MultiLeg).legs.map((leg) => [leg.venue, leg.side, leg.qty, leg.reduceOnly])).toEqual([
      ['binanceusdm', 'buy', QTY, true],
      ['binance', 'sell', QTY, false],
    ]);
  });

  it('funding-carry: a synced short and long perp pair is the open carry: no second entry', async () => {
    const run = await startCarry({}, { sync: { positions: [syncedPosition('bybit', PERP, -0.1666, 59_997), syncedPosition('binanceusdm', PERP, 0.1666, 60_003)] } });
    carryMarket(run);
    const { intents, opportunities } = await run.evaluate();
    expect(intents).toEqual([]);
    expect(opportunityFor(opportunities, PERP).decision).toBe('hold');
    expect(run.status().carries).toEqual([expect.objectContaining({ short: `${PERP}@bybit`, long: `${PERP}@binanceusdm`, qty: 0.1666 })]);
  });

  it('a fresh entry after a sync still fills as usual (the sync does not leave the ledger blocked)', async () => {
    const run = await startCarry();
    carryMarket(run);
    const entry = (await run.evaluate()).intents[0] as MultiLeg;
    run.push(filled(entry, 0, 59_997), filled(entry, 1, 60_003));
    carryMarket(run);
    expect((await run.evaluate()).intents).toEqual([]);
    expect(run.status().carries).toHaveLength(1);
  });
});

describe('position sync: unattributed positions', () => {
  it('leave (default): one perp leg alone is reported and never traded, not even when its funding turns', async () => {
    const run = await startHedge({}, { sync: { positions: [syncedPosition('binanceusdm', PERP, -QTY, 59_997)] } });
    for (const rate of [0.0004, 0]) {
      hedgeMarket(run, rate);
      const { intents, opportunities } = await run.evaluate();
      expect(intents).toEqual([]);
      expect(opportunityFor(opportunities, PERP)).toMatchObject({ decision: 'hold', reason: `unattributed position: one leg only: ${PERP}@binanceusdm -0.08333; left to the operator (unattributedPositions: leave)` });
    }
    expect(run.status().unattributed).toEqual([{ key: PERP, reason: expect.stringMatching(/^one leg only/) }]);
    expect(run.status().carries).toEqual([]);
  });

  it('leave: legs whose sizes are apart are no carry', async () => {
    const run = await startCarry({}, { sync: { positions: [syncedPosition('bybit', PERP, -0.1666, 59_997), syncedPosition('binanceusdm', PERP, 0.08, 60_003)] } });
    carryMarket(run);
    const { intents, opportunities } = await run.evaluate();
    expect(intents).toEqual([]);
    expect(opportunityFor(opportunities, PERP).reason).toMatch(/^unattributed position: leg sizes 51.98 % apart \(> attributionTolerancePct 2\)/);
  });

  it('adopt-and-close: every held leg closes in one multi-leg command, perp reduce-only', async () => {
    const run = await startHedge({ unattributedPositions: 'adopt-and-close' }, { sync: { positions: [syncedPosition('binanceusdm', PERP, -QTY, 59_997), syncedPosition('binance', SPOT, QTY / 2, 60_006)] } });
    hedgeMarket(run);
    const { intents, opportunities } = await run.evaluate();
    expect(intents).toHaveLength(1);
    expect((intents[0] as MultiLeg).legs.map((leg) => [leg.venue, leg.side, leg.qty, leg.reduceOnly])).toEqual([
      ['binanceusdm', 'buy', QTY, true],
      ['binance', 'sell', 0.04166, false], // QTY / 2 on the 0.00001 step
    ]);
    expect(opportunityFor(opportunities, PERP)).toMatchObject({ decision: 'exit', reason: expect.stringMatching(/^unattributed position \(leg sizes 50 % apart/) });
  });

  it('adopt-and-close: closes nothing when a leg cannot be closed (spot the venue no longer holds)', async () => {
    const run = await startHedge({ unattributedPositions: 'adopt-and-close', balances: { binance: { USDT: 100_000 } } }, { sync: { positions: [syncedPosition('binanceusdm', PERP, -QTY, 59_997), syncedPosition('binance', SPOT, QTY / 2, 60_006)] } });
    hedgeMarket(run);
    const { intents, opportunities } = await run.evaluate();
    expect(intents).toEqual([]);
    expect(opportunityFor(opportunities, PERP).reason).toMatch(/not every leg can be closed/);
  });

  it('rejects an unknown policy at start-up, naming the param', async () => {
    await expect(startHedge({ unattributedPositions: 'close-one' })).rejects.toThrow(/unattributedPositions/);
  });
});
