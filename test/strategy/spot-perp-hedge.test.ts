import { describe, expect, it } from 'vitest';
import hedge from '../../actors/strategy/spot-perp-hedge.js';
import { parseSpotPerpHedgeParams } from '../../src/trading/strategy/spot-perp-hedge.js';
import { allMarketRules, balanceChanged, filled, funding, legImbalance, levels, opportunityFor, rejected, runnerFor, sameDecisions, type MultiLeg, type StrategyRun } from './helpers.js';

const PERP = 'BTC/USDT:USDT';
const SPOT = 'BTC/USDT';
/** 5 000 USD at a 60 000 mid, on binance spot's 0.00001 BTC step. */
const QTY = 0.08333;

// The decision tests drive the timer path; the tick path has its own tests (spot-perp-hedge-tick.test.ts).
// binance spot's real BTC step; the perp on the same fine step so the spot fee's crumbs show.
const start = runnerFor(hedge, { spotVenue: 'binance', perpVenue: 'binanceusdm', symbols: [PERP], balances: { binance: { USDT: 100_000 } }, actOnTick: false }, allMarketRules({ amountStep: 0.00001 }));

/** Perp 59 997 / 60 003 (1 bp wide), spot 59 994 / 60 006 (2 bps), perp funding `rate` per 4 h. */
function market(run: StrategyRun, rate: number, venues = { spot: 'binance', perp: 'binanceusdm' }): void {
  run.push(levels(venues.perp, PERP, 59_997, 60_003), levels(venues.spot, SPOT, 59_994, 60_006), funding(venues.perp, PERP, rate, 4));
}

describe('spot-perp-hedge: entry', () => {
  it('on extreme positive funding shorts the perp and buys spot, same quantity', async () => {
    const run = await start();
    market(run, 0.0004); // 1e-4 per hour: 87.6 %/yr
    const { intents, opportunities } = await run.evaluate();
    expect((intents[0] as MultiLeg).legs).toEqual([
      { venue: 'binanceusdm', symbol: PERP, side: 'sell', orderType: 'limit', timeInForce: 'IOC', qty: QTY, limitPx: 59_997 * (1 - 10e-4), reduceOnly: false },
      { venue: 'binance', symbol: SPOT, side: 'buy', orderType: 'limit', timeInForce: 'IOC', qty: QTY, limitPx: 60_006 * (1 + 10e-4), reduceOnly: false },
    ]);
    // Gross 1e-4 × 72 h = 72 bps. Costs per crossing: perp 5 + 0.5, spot 10 + 1 (spot fees are
    // the expensive leg); twice: 33 bps. Net 39 bps.
    const opportunity = opportunityFor(opportunities, PERP);
    expect(opportunity).toMatchObject({ kind: 'spot-perp-hedge', venues: 'short:binanceusdm long:binance', decision: 'act' });
    expect(opportunity.edgeBps).toBeCloseTo(39, 3);
    expect(opportunity.annualizedPct).toBeCloseTo(87.6, 3);
    expect(opportunity.expectedPnlUsd).toBeCloseTo((QTY * 60_000 * 39e-4 * 4) / 72, 3); // per 4 h interval
  });

  it('buys or sells no spot before the spot venue has reported its balances', async () => {
    const run = await start({ balances: undefined });
    market(run, 0.0004);
    const before = await run.evaluate();
    expect(before.intents).toEqual([]);
    expect(opportunityFor(before.opportunities, PERP).reason).toMatch(/^no balances from binance yet \(execution publishes them at start\)/);
    run.push(balanceChanged('binance', { USDT: 100_000 }));
    market(run, 0.0004);
    expect((await run.evaluate()).intents).toEqual([expect.objectContaining({ type: 'SubmitMultiLeg' })]);
  });

  it('skips funding that is not extreme, even when it would pay for its costs', async () => {
    const run = await start({ entryAprPct: 100 });
    market(run, 0.0004);
    const { intents, opportunities } = await run.evaluate();
    expect(intents).toEqual([]);
    expect(opportunityFor(opportunities, PERP).reason).toMatch(/^funding 87.6 %\/yr is not extreme \(\|apr\| < entryAprPct 100\); net 39 bps/);
  });

  it('on extreme negative funding sells spot it holds and longs the perp, never more than it holds', async () => {
    const none = await start();
    market(none, -0.0004);
    const skipped = await none.evaluate();
    expect(skipped.intents).toEqual([]);
    expect(opportunityFor(skipped.opportunities, PERP).reason).toBe(
      'funding -87.6 %/yr is negative but binance holds no BTC to sell: the reverse carry needs spot inventory (this strategy never borrows)',
    );

    const some = await start({ balances: { binance: { USDT: 100_000, BTC: 0.05 } } });
    market(some, -0.0004);
    const { intents } = await some.evaluate();
    expect((intents[0] as MultiLeg).legs.map((leg) => [leg.venue, leg.side, leg.qty])).toEqual([
      ['binance', 'sell', 0.05],
      ['binanceusdm', 'buy', 0.05],
    ]);
  });

  it('works with spot and perp on the same venue (bybit + bybit)', async () => {
    const run = await start({ spotVenue: 'bybit', perpVenue: 'bybit', balances: { bybit: { USDT: 100_000 } } });
    market(run, 0.0004, { spot: 'bybit', perp: 'bybit' });
    const { intents } = await run.evaluate();
    expect((intents[0] as MultiLeg).legs.map((leg) => [leg.venue, leg.symbol, leg.side])).toEqual([
      ['bybit', PERP, 'sell'],
      ['bybit', SPOT, 'buy'],
    ]);
  });
});

describe('spot-perp-hedge: holding and exit', () => {
  /**
   * Opens the positive-funding hedge. binance takes the spot buy's 0.1 % fee in BTC; execution
   * reports it converted to USDT, and the strategy books it back in BTC.
   */
  async function open(run: StrategyRun): Promise<MultiLeg> {
    market(run, 0.0004);
    const entry = (await run.evaluate()).intents[0] as MultiLeg;
    run.push(filled(entry, 0, 59_997, { fee: 2.5 }), filled(entry, 1, 60_006, { fee: QTY * 60_006 * 0.001 }));
    expect(opportunityFor((await run.evaluate()).opportunities, PERP).decision).toBe('hold');
    return entry;
  }

  it('exits when funding normalises, selling only the spot the venue still holds', async () => {
    const run = await start();
    const entry = await open(run);
    const { binance } = run.status().inventory ?? {};
    expect(binance?.USDT).toBeCloseTo(100_000 - QTY * 60_006, 9);
    expect(binance?.BTC).toBeCloseTo(QTY * 0.999, 12);

    market(run, 0.00005); // 1.25e-5 per hour: 10.95 %/yr, still ≥ exitAprPct 10
    expect(opportunityFor((await run.evaluate()).opportunities, PERP).decision).toBe('hold');
    market(run, 0.00004); // 8.76 %/yr
    const { intents, opportunities } = await run.evaluate();
    expect(opportunityFor(opportunities, PERP)).toMatchObject({ decision: 'exit', reason: 'funding edge 8.76 %/yr < exitAprPct 10' });
    expect(intents).toEqual([
      expect.objectContaining({
        intentSeq: entry.intentSeq + 1,
        legs: [
          { venue: 'binanceusdm', symbol: PERP, side: 'buy', orderType: 'limit', timeInForce: 'IOC', qty: QTY, limitPx: 60_003 * (1 + 10e-4), reduceOnly: true },
          // 0.08333 bought, 0.1 % of it paid as fee: 0.08324667 held, 0.08324 on a 1e-5 step. Spot has no reduce-only.
          { venue: 'binance', symbol: SPOT, side: 'sell', orderType: 'limit', timeInForce: 'IOC', qty: 0.08324, limitPx: 59_994 * (1 - 10e-4), reduceOnly: false },
        ],
      }),
    ]);
    // The 0.00009 BTC left over is dust (5 USD < dustUsd 10): the hedge is closed.
    const exit = intents[0] as MultiLeg;
    run.push(filled(exit, 0, 60_003), filled(exit, 1, 59_994));
    await run.evaluate();
    expect(run.status()).toMatchObject({ carries: [], openPositions: [expect.objectContaining({ venue: 'binance', symbol: SPOT })] });
  });

  it('waits out a leg imbalance, then backs off the opportunity after the rejection', async () => {
    const run = await start();
    market(run, 0.0004);
    const entry = (await run.evaluate()).intents[0] as MultiLeg;
    // The perp leg fills, the spot leg is rejected; execution unwinds the perp.
    run.push(filled(entry, 0, 59_997), rejected(entry, 1), legImbalance(entry, 'detected'), legImbalance(entry, 'unwind'));
    const during = await run.evaluate();
    expect(during.intents).toEqual([]);
    expect(opportunityFor(during.opportunities, PERP)).toMatchObject({ decision: 'hold', reason: `waiting for intent ${entry.intentSeq} (entry)` });

    run.push(filled(entry, 0, 60_003, { side: 'buy' }), legImbalance(entry, 'resolved'));
    const after = await run.evaluate();
    expect(after.intents).toEqual([]);
    expect(opportunityFor(after.opportunities, PERP)).toMatchObject({ decision: 'skip', reason: expect.stringMatching(/^backing off 30 s after: rejected by binance: -2010 insufficient balance; net 39 bps/) });
    expect(run.status()).toMatchObject({ carries: [], counters: { rejected: 1, imbalances: 1, fills: 2 } });
  });

  it('keeps inventory, carries and intentSeq across snapshot → restore', async () => {
    const original = await start();
    const entry = await open(original);
    const restored = await start({}, { clock: original.clock, restore: original.harness.snapshot() });
    expect(restored.status().inventory).toEqual(original.status().inventory);
    const b = await sameDecisions(original, restored, (run) => market(run, 0.00004));
    expect(b.intents).toEqual([expect.objectContaining({ intentSeq: entry.intentSeq + 1 })]);
  });
});

describe('spot-perp-hedge: params', () => {
  it('names the field and the value that are wrong', () => {
    expect(() => parseSpotPerpHedgeParams({ exitAprPct: 40 })).toThrow(/exitAprPct: exitAprPct must be below entryAprPct, got 40/);
    expect(() => parseSpotPerpHedgeParams({ inventory: { BTC: 1 } })).toThrow(/spot-perp-hedge params: inventory: spot balances now come from the venue .*got \{"BTC":1\}/);
    expect(() => parseSpotPerpHedgeParams({ symbols: ['BTC/USDT'] })).toThrow(/symbols\[0\]: expected a perp symbol/);
    expect(parseSpotPerpHedgeParams({})).toMatchObject({ spotVenue: 'binance', perpVenue: 'binanceusdm', entryAprPct: 30, exitAprPct: 10, notionalUsd: 5_000 });
  });
});
