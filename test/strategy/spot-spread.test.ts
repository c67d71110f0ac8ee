import { describe, expect, it } from 'vitest';
import spread from '../../actors/strategy/spot-spread.js';
import { parseSpotSpreadParams } from '../../src/trading/strategy/spot-spread.js';
import { balanceChanged, canceled, filled, legImbalance, opportunityFor, runnerFor, sameDecisions, top, tradingState, type MultiLeg, type StrategyRun } from './helpers.js';

const BTC = 'BTC/USDT';
const FULL = { BTC: 1, USDT: 100_000 };

// The decision tests drive the timer path; the tick path has its own test below.
const start = runnerFor(spread, { venues: ['binance', 'bybit', 'okx'], symbols: [BTC], balances: { binance: FULL, bybit: FULL, okx: FULL }, actOnTick: false });

/** binance 60 000 / 60 006, okx 59 990 / 60 010, bybit bid `bybitBid` (0.3 BTC) / +6. */
/** The three books, stamped as a feed stamps them: on arrival, on the actor's monotonic clock (the one fills are stamped on). */
function market(run: StrategyRun, bybitBid: number, now = run.clock.monoNs()): number {
  run.push(top('binance', BTC, 60_000, 0.5, 60_006, 0.5, now + 100), top('okx', BTC, 59_990, 1, 60_010, 1, now + 300), top('bybit', BTC, bybitBid, 0.3, bybitBid + 6, 0.3, now + 200));
  return now;
}

describe('spot-spread: acting on the tick', () => {
  it('sends the trade on the book update that opens the cross, with that tick as ts, before any evaluation', async () => {
    const run = await start({ actOnTick: true });
    run.push(top('binance', BTC, 60_000, 0.5, 60_006, 0.5, 1_100), top('okx', BTC, 59_990, 1, 60_010, 1, 1_300));
    expect((await run.received()).intents).toEqual([]);
    run.push(top('bybit', BTC, 60_200, 0.3, 60_206, 0.3, 1_400));
    const { intents, opportunities } = await run.received();
    expect(intents).toEqual([expect.objectContaining({ type: 'SubmitMultiLeg', ts: 1_400, legs: [expect.objectContaining({ venue: 'binance', side: 'buy' }), expect.objectContaining({ venue: 'bybit', side: 'sell' })] })]);
    expect(opportunityFor(opportunities, BTC)).toMatchObject({ decision: 'act' });
    // More ticks while the intent is in flight send nothing and report nothing; the timer reports the hold.
    run.push(top('bybit', BTC, 60_210, 0.3, 60_216, 0.3, 1_500));
    expect(await run.received()).toEqual({ intents: [], opportunities: [] });
    const evaluated = await run.evaluate();
    expect(evaluated.intents).toEqual([]);
    expect(opportunityFor(evaluated.opportunities, BTC)).toMatchObject({ decision: 'hold' });
  });

  it('decides a follow-up intent on a tick after the previous intent’s final event, on a book newer than its fills', async () => {
    const run = await start({ actOnTick: true });
    run.push(top('binance', BTC, 60_000, 0.5, 60_006, 0.5, 1_100), top('okx', BTC, 59_990, 1, 60_010, 1, 1_300), top('bybit', BTC, 60_200, 0.3, 60_206, 0.3, 1_400));
    const [first] = (await run.received()).intents as MultiLeg[];
    expect(first).toMatchObject({ type: 'SubmitMultiLeg', path: 'tick', strategyInNs: run.clock.nowMonoNs, decidedNs: run.clock.nowMonoNs });
    // Execution answers every leg; the fills arrive at the strategy at mono time `fillsAtNs`.
    run.clock.advance(5);
    const fillsAtNs = run.clock.nowMonoNs;
    run.push(filled(first!, 0, 60_006), filled(first!, 1, 60_200));
    expect(await run.received()).toEqual({ intents: [], opportunities: [] });
    expect(run.status().inFlight).toEqual([]); // closed by its last event, no evaluation ran
    // A book that left the feed before the fills arrived may still show what they took: no trade,
    // and the guard holds per market (binance's book is newer now, bybit's is not).
    run.push(top('bybit', BTC, 60_210, 0.3, 60_216, 0.3, fillsAtNs - 1), top('binance', BTC, 60_000, 0.5, 60_006, 0.5, fillsAtNs + 1));
    expect(await run.received()).toEqual({ intents: [], opportunities: [] });
    // The next bybit book after them decides the follow-up, on the tick, with that tick as ts.
    run.clock.advance(1);
    run.push(top('bybit', BTC, 60_220, 0.3, 60_226, 0.3, fillsAtNs + 2));
    const { intents } = await run.received();
    expect(intents).toEqual([expect.objectContaining({ type: 'SubmitMultiLeg', intentSeq: first!.intentSeq + 1, ts: fillsAtNs + 2, path: 'tick', decidedNs: run.clock.nowMonoNs })]);
  });

  it('marks what the evaluation timer decided as the timer path', async () => {
    const run = await start();
    market(run, 60_200);
    const { intents } = await run.evaluate();
    expect(intents).toEqual([expect.objectContaining({ type: 'SubmitMultiLeg', path: 'timer', strategyInNs: run.clock.nowMonoNs, decidedNs: run.clock.nowMonoNs })]);
  });

  it('does nothing on a tick that does not clear minSpreadBps', async () => {
    const run = await start({ actOnTick: true });
    market(run, 60_150);
    expect(await run.received()).toEqual({ intents: [], opportunities: [] });
  });
});

describe('spot-spread: decisions', () => {
  it('buys on the cheap venue and sells on the rich one with two IOC legs at the touches', async () => {
    const run = await start();
    const now = market(run, 60_200);
    const { intents, opportunities } = await run.evaluate();
    // 5 000 USD / 60 006 = 0.083326 BTC, below both touches and inventories: 0.08332 on a 1e-5 step.
    const qty = 0.08332;
    expect(intents).toEqual([
      expect.objectContaining({
        type: 'SubmitMultiLeg',
        ts: now + 200,
        legs: [
          { venue: 'binance', symbol: BTC, side: 'buy', orderType: 'limit', timeInForce: 'IOC', qty, limitPx: 60_006, reduceOnly: false },
          { venue: 'bybit', symbol: BTC, side: 'sell', orderType: 'limit', timeInForce: 'IOC', qty, limitPx: 60_200, reduceOnly: false },
        ],
      }),
    ]);
    // Gross (60 200 / 60 006 − 1) = 32.33 bps; both spot taker fees 10 bps: 12.33 net.
    const grossBps = (60_200 / 60_006 - 1) * 1e4;
    const pnl = qty * (60_200 - 60_006) - qty * 60_200 * 0.001 - qty * 60_006 * 0.001;
    const opportunity = opportunityFor(opportunities, BTC);
    expect(opportunity).toMatchObject({ kind: 'spot-spread', venues: 'sell:bybit buy:binance', decision: 'act', annualizedPct: 0 });
    expect(opportunity.edgeBps).toBeCloseTo(grossBps - 20, 3);
    expect(opportunity.expectedPnlUsd).toBeCloseTo(pnl, 3);
    expect(opportunity.reason).toBe('bid bybit 60200 vs ask binance 60006: 32.33 bps − fees 20 = 12.33 ≥ minSpreadBps 5: 0.08332 BTC (limited by maxNotionalUsd)');
  });

  it('skips a spread that does not beat both fees plus minSpreadBps', async () => {
    const run = await start();
    market(run, 60_150); // 24 bps gross, 4 net
    const { intents, opportunities } = await run.evaluate();
    expect(intents).toEqual([]);
    expect(opportunityFor(opportunities, BTC)).toMatchObject({ decision: 'skip', reason: 'bid bybit 60150 vs ask binance 60006: 24 bps − fees 20 = 3.998 < minSpreadBps 5' });
  });

  it('never sells more than the venue holds, follows fills, and flags the rebalance', async () => {
    const run = await start({ balances: { binance: FULL, bybit: { BTC: 0.02, USDT: 100_000 }, okx: FULL } });
    market(run, 60_200);
    const first = await run.evaluate();
    const trade = first.intents[0] as MultiLeg;
    expect(trade.legs.map((leg) => leg.qty)).toEqual([0.02, 0.02]);
    expect(opportunityFor(first.opportunities, BTC).reason).toMatch(/\(limited by BTC on bybit\)/);

    // Execution reports both fees in USDT; binance took the buy's from the BTC it delivered.
    run.push(filled(trade, 0, 60_006, { fee: 0.02 * 60_006 * 0.001 }), filled(trade, 1, 60_200, { fee: 1.204 }));
    market(run, 60_200);
    const second = await run.evaluate();
    expect(second.intents).toEqual([]);
    // bybit sold its last BTC: nothing to sell there, and its inventory is all quote now.
    expect(opportunityFor(second.opportunities, BTC).reason).toBe(
      'nothing to trade: size limited by BTC on bybit; bid bybit 60200 vs ask binance 60006: 32.33 bps − fees 20 = 12.33; rebalance needed: bybit holds 0 % of its value in BTC',
    );
    const status = run.status();
    expect(status.inventory).toMatchObject({ bybit: { BTC: 0, USDT: 100_000 + 0.02 * 60_200 - 1.204 } });
    expect(status.inventory?.binance?.BTC).toBeCloseTo(1 + 0.02 - 0.00002, 12);
    expect(status.rebalanceNeeded).toEqual([{ venue: 'bybit', symbol: BTC, baseShare: 0, deviation: 0.5 }]);
  });

  it('trades no venue before it has reported its balances, and takes each report as the new truth', async () => {
    const run = await start({ balances: { binance: FULL, okx: FULL } });
    market(run, 60_200);
    const before = await run.evaluate();
    expect(before.intents).toEqual([]);
    expect(opportunityFor(before.opportunities, BTC).reason).toMatch(/^nothing to trade: size limited by no balances from bybit yet; bid bybit 60200/);

    run.push(balanceChanged('bybit', { BTC: 0.01, USDT: 5_000 }));
    market(run, 60_200);
    const trade = (await run.evaluate()).intents[0] as MultiLeg;
    expect(trade.legs.map((leg) => [leg.venue, leg.side, leg.qty])).toEqual([
      ['binance', 'buy', 0.01],
      ['bybit', 'sell', 0.01],
    ]);
    // A later report replaces what the strategy believed: bybit's BTC is gone (sold elsewhere).
    run.push(filled(trade, 0, 60_006), filled(trade, 1, 60_200), balanceChanged('bybit', { USDT: 5_600 }));
    await run.harness.settle();
    expect(run.status().inventory?.bybit).toEqual({ BTC: 0, USDT: 5_600 });
  });

  it('holds while its IOC intent is in flight, then backs off after a leg imbalance', async () => {
    const run = await start({ backoffMs: 10_000 });
    market(run, 60_200);
    const trade = (await run.evaluate()).intents[0] as MultiLeg;
    market(run, 60_200);
    const waiting = await run.evaluate();
    expect(waiting.intents).toEqual([]);
    expect(opportunityFor(waiting.opportunities, BTC)).toMatchObject({ decision: 'hold', reason: `waiting for intent ${trade.intentSeq}` });

    run.push(filled(trade, 0, 60_006), canceled(trade, 1), legImbalance(trade, 'detected'), legImbalance(trade, 'resolved'));
    market(run, 60_200);
    const after = await run.evaluate();
    expect(after.intents).toEqual([]);
    expect(opportunityFor(after.opportunities, BTC).reason).toMatch(/^backing off 10 s after: leg imbalance detected: test; bid bybit/);
    run.clock.advance(10_000);
    market(run, 60_200);
    expect((await run.evaluate()).intents).toEqual([expect.objectContaining({ intentSeq: trade.intentSeq + 1 })]);
  });

  it('on the timer too, trades again only on books newer than its last fill on both markets', async () => {
    const run = await start();
    const before = market(run, 60_200);
    const trade = (await run.evaluate()).intents[0] as MultiLeg;
    run.clock.advance(1);
    run.push(filled(trade, 0, 60_006), filled(trade, 1, 60_200));
    await run.harness.settle();
    market(run, 60_200, before); // stamped before the fills: these books may still show the liquidity the fills took
    const stale = await run.evaluate();
    expect(stale.intents).toEqual([]);
    expect(opportunityFor(stale.opportunities, BTC).reason).toMatch(/^waiting for a BTC\/USDT book on bybit and binance newer than the last fill there; bid bybit/);
    market(run, 60_200);
    expect((await run.evaluate()).intents).toEqual([expect.objectContaining({ intentSeq: trade.intentSeq + 1 })]);
  });

  it('trades nothing while HALTED or REDUCING', async () => {
    const run = await start();
    for (const state of ['HALTED', 'REDUCING'] as const) {
      run.push(tradingState(state));
      market(run, 60_200);
      const { intents, opportunities } = await run.evaluate();
      expect(intents).toEqual([]);
      expect(opportunityFor(opportunities, BTC).reason).toMatch(new RegExp(`^trading ${state} \\(test\\): no new entries; bid bybit`));
    }
  });

  it('makes the same decisions after snapshot → restore, with inventory and intentSeq carried over', async () => {
    const original = await start();
    market(original, 60_200);
    const trade = (await original.evaluate()).intents[0] as MultiLeg;
    original.push(filled(trade, 0, 60_006), filled(trade, 1, 60_200));
    await original.harness.settle();
    const restored = await start({}, { clock: original.clock, restore: original.harness.snapshot() });
    expect(restored.status().inventory).toEqual(original.status().inventory);
    const now = original.clock.monoNs();
    const b = await sameDecisions(original, restored, (run) => market(run, 60_250, now));
    expect(b.intents).toEqual([expect.objectContaining({ intentSeq: trade.intentSeq + 1 })]);
  });
});

describe('spot-spread: params', () => {
  it('names the field and the value that are wrong', () => {
    expect(() => parseSpotSpreadParams({ symbols: ['BTC/USDT:USDT'] })).toThrow(/symbols\[0\]: expected a spot symbol BASE\/QUOTE, got "BTC\/USDT:USDT"/);
    expect(() => parseSpotSpreadParams({ rebalanceThreshold: 0.9 })).toThrow(/rebalanceThreshold: .*got 0.9/);
    expect(() => parseSpotSpreadParams({ venues: ['okx', 'okx'] })).toThrow(/venues: expected distinct entries, got \["okx","okx"\]/);
    expect(() => parseSpotSpreadParams({ fees: { okx: { spot: { takerRateBps: 4 } } } })).toThrow(/spot-spread params: fees: fee rates now come from the venue/);
    expect(() => parseSpotSpreadParams({ lots: { okx: { 'BTC/USDT': { amountStep: 0.001 } } } })).toThrow(/spot-spread params: lots: lot sizes .* now come from the venue.*remove `lots`/);
    expect(() => parseSpotSpreadParams({ inventory: { okx: { BTC: 1 } } })).toThrow(/spot-spread params: inventory: spot balances now come from the venue \(execution fetches them and publishes BalanceChanged\); remove it/);
    expect(parseSpotSpreadParams({})).toMatchObject({ minSpreadBps: 5, rebalanceThreshold: 0.3, evaluationIntervalMs: 500, maxNotionalUsd: 5_000 });
  });
});
