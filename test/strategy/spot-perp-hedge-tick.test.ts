/**
 * The spot-perp hedge's tick path: the perp's FundingRate turning extreme, or the book update of
 * either leg that completes the picture, sends the entry at once with that message's ts; a
 * funding update below exitAprPct sends the exit; every other tick returns null.
 */
import { describe, expect, it } from 'vitest';
import hedge from '../../actors/strategy/spot-perp-hedge.js';
import type { MarketDataMessage } from '../../src/protocol/index.js';
import { hedgeKeyOf, spotPerpHedgeEngine } from '../../src/trading/strategy/spot-perp-hedge.js';
import { applyMarketData } from '../../src/trading/strategy/market-view.js';
import { allMarketRules, balanceChanged, engineTick, filled, funding, levels, opportunityFor, runnerFor, top, type MultiLeg } from './helpers.js';

const PERP = 'BTC/USDT:USDT';
const SPOT = 'BTC/USDT';
/** 1e-4 per hour: 87.6 %/yr, extreme against entryAprPct 30. */
const EXTREME = 0.0004;
/** 1e-6 per hour: 0.876 %/yr. */
const NORMAL = 0.000004;

const start = runnerFor(hedge, { spotVenue: 'binance', perpVenue: 'binanceusdm', symbols: [PERP], balances: { binance: { USDT: 100_000 } }, actOnTick: true });

const books = (): MarketDataMessage[] => [levels('binanceusdm', PERP, 59_997, 60_003), levels('binance', SPOT, 59_994, 60_006)];

function engineWith(messages: MarketDataMessage[]) {
  const params = spotPerpHedgeEngine.parseParams({ spotVenue: 'binance', perpVenue: 'binanceusdm', symbols: [PERP] });
  const state = spotPerpHedgeEngine.init('engine', params, { wallMs: () => 1_700_000_000_000, bookMs: () => 1_000 });
  spotPerpHedgeEngine.onBalanceChanged?.(state, balanceChanged('binance', { USDT: 100_000 }), params);
  for (const rules of allMarketRules()) state.rules.apply(rules);
  for (const m of messages) applyMarketData(state.market, m);
  return (m: MarketDataMessage) => engineTick(spotPerpHedgeEngine, state, params, 1_700_000_000_000, m);
}

describe('spot-perp-hedge: acting on the tick', () => {
  it('enters on the FundingRate that turns extreme, with its ts, exactly as the timer would', async () => {
    const run = await start();
    run.push(...books(), funding('binanceusdm', PERP, NORMAL, 4, 1_000));
    expect(await run.received()).toEqual({ intents: [], opportunities: [] });
    run.push(funding('binanceusdm', PERP, EXTREME, 4, 1_500));
    const { intents, opportunities } = await run.received();
    expect(intents).toEqual([
      expect.objectContaining({ type: 'SubmitMultiLeg', ts: 1_500, legs: [expect.objectContaining({ venue: 'binanceusdm', side: 'sell' }), expect.objectContaining({ venue: 'binance', side: 'buy' })] }),
    ]);
    expect(opportunityFor(opportunities, PERP)).toMatchObject({ ts: 1_500, decision: 'act' });

    const timer = await start({ actOnTick: false });
    timer.push(...books(), funding('binanceusdm', PERP, NORMAL, 4, 1_000), funding('binanceusdm', PERP, EXTREME, 4, 1_500));
    const timed = await timer.evaluate();
    // …except that each says which path decided it.
    expect(timed.intents).toEqual(intents.map((command) => ({ ...command, path: 'timer' })));
    expect(timed.opportunities).toEqual(opportunities);

    // In flight: more ticks send nothing.
    run.push(funding('binanceusdm', PERP, EXTREME * 2, 4, 1_600), top('binance', SPOT, 59_995, 1, 60_005, 1, 1_700));
    expect(await run.received()).toEqual({ intents: [], opportunities: [] });
  });

  it('enters on the spot BookTop that completes the picture', async () => {
    const run = await start();
    run.push(levels('binanceusdm', PERP, 59_997, 60_003), funding('binanceusdm', PERP, EXTREME, 4, 1_000));
    expect(await run.received()).toEqual({ intents: [], opportunities: [] });
    run.push(top('binance', SPOT, 59_994, 1, 60_006, 1, 1_800));
    expect((await run.received()).intents).toEqual([expect.objectContaining({ type: 'SubmitMultiLeg', ts: 1_800 })]);
  });

  it('exits on the FundingRate that falls below exitAprPct', async () => {
    const run = await start();
    run.push(...books(), funding('binanceusdm', PERP, EXTREME, 4, 1_500));
    const entry = (await run.received()).intents[0] as MultiLeg;
    run.push(filled(entry, 0, 59_997), filled(entry, 1, 60_006));
    expect(opportunityFor((await run.evaluate()).opportunities, PERP).decision).toBe('hold');

    run.push(funding('binanceusdm', PERP, 0.00005, 4, 2_000), top('binance', SPOT, 59_995, 1, 60_005, 1, 2_100)); // 10.95 %/yr: hold
    expect(await run.received()).toEqual({ intents: [], opportunities: [] });
    run.push(funding('binanceusdm', PERP, 0.00004, 4, 3_000)); // 8.76 %/yr < 10
    const { intents, opportunities } = await run.received();
    expect(opportunityFor(opportunities, PERP)).toMatchObject({ ts: 3_000, decision: 'exit', reason: 'funding edge 8.76 %/yr < exitAprPct 10' });
    expect(intents).toEqual([expect.objectContaining({ type: 'SubmitMultiLeg', ts: 3_000, intentSeq: entry.intentSeq + 1 })]);
  });
});

describe('spot-perp-hedge: ticks that change nothing return null', () => {
  it('while funding is not extreme, on either leg, and for markets it does not trade', () => {
    const tick = engineWith([...books(), funding('binanceusdm', PERP, NORMAL, 4)]);
    expect(tick(top('binanceusdm', PERP, 59_998, 1, 60_002, 1, 2_000))).toBeNull();
    expect(tick(top('binance', SPOT, 59_995, 1, 60_005, 1, 2_100))).toBeNull();
    expect(tick(funding('binanceusdm', PERP, NORMAL * 2, 4, 2_200))).toBeNull();
    expect(tick(funding('bybit', PERP, EXTREME, 4, 2_300))).toBeNull();
    expect(tick(top('binance', 'ETH/USDT', 2_999, 1, 3_001, 1, 2_400))).toBeNull();
    expect(tick(funding('binanceusdm', PERP, EXTREME, 4, 2_500))?.commands).toEqual([expect.objectContaining({ type: 'SubmitMultiLeg', ts: 2_500 })]);
  });

  it('maps a market to the perp it hedges, on separate or shared venues', () => {
    const params = spotPerpHedgeEngine.parseParams({ symbols: [PERP, 'SOL/USDT:USDT'] });
    expect(hedgeKeyOf(params, 'binance', 'SOL/USDT')).toBe('SOL/USDT:USDT');
    expect(hedgeKeyOf(params, 'binanceusdm', PERP)).toBe(PERP);
    expect(hedgeKeyOf(params, 'binance', 'BTC/USD')).toBeNull();
    expect(hedgeKeyOf(params, 'binanceusdm', SPOT)).toBeNull();
    expect(hedgeKeyOf(params, 'okx', SPOT)).toBeNull();
    const shared = spotPerpHedgeEngine.parseParams({ spotVenue: 'bybit', perpVenue: 'bybit', symbols: [PERP] });
    expect([hedgeKeyOf(shared, 'bybit', SPOT), hedgeKeyOf(shared, 'bybit', PERP)]).toEqual([PERP, PERP]);
  });
});
