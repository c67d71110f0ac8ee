/**
 * The funding carry's tick path: a FundingRate or book update that makes an entry (or a funding
 * exit) due sends the command at once, stamped with that message's ts, and every other tick sends
 * nothing and builds nothing (null from the engine).
 */
import { describe, expect, it } from 'vitest';
import carry from '../../actors/strategy/funding-carry.js';
import type { MarketDataMessage } from '../../src/protocol/index.js';
import { fundingCarryEngine } from '../../src/trading/strategy/funding-carry.js';
import { applyMarketData } from '../../src/trading/strategy/market-view.js';
import { allMarketRules, engineTick, filled, funding, levels, opportunityFor, runnerFor, top, tradingState, type MultiLeg, type StrategyRun } from './helpers.js';

const BTC = 'BTC/USDT:USDT';
const VENUES = ['binanceusdm', 'bybit', 'okx'];

const start = runnerFor(carry, { venues: VENUES, symbols: [BTC], actOnTick: true });

/** Books at 59 997 / 60 003 everywhere and the same 0.01 % / 8 h funding: nothing to earn. */
function flatMarket(run: StrategyRun): void {
  for (const venue of VENUES) run.push(levels(venue, BTC, 59_997, 60_003, 10, 1_000), funding(venue, BTC, 0.0001, 8, 1_000));
}

/** The engine alone, on a fixed clock, for what the tick path returns (the harness only shows what was sent). */
function engineWith(messages: MarketDataMessage[], raw: Record<string, unknown> = {}) {
  const params = fundingCarryEngine.parseParams({ venues: VENUES, symbols: [BTC], ...raw });
  const state = fundingCarryEngine.init('engine', params, { wallMs: () => 1_700_000_000_000, bookMs: () => 1_000 });
  for (const rules of allMarketRules()) state.rules.apply(rules);
  for (const m of messages) applyMarketData(state.market, m);
  const tick = (m: MarketDataMessage) => engineTick(fundingCarryEngine, state, params, 1_700_000_000_000, m);
  return { state, params, tick };
}

const flatMessages = (): MarketDataMessage[] => VENUES.flatMap((venue) => [levels(venue, BTC, 59_997, 60_003, 10, 1_000), funding(venue, BTC, 0.0001, 8, 1_000)]);

describe('funding-carry: acting on the tick', () => {
  it('enters on the FundingRate that opens the divergence, with its ts, exactly as the timer would', async () => {
    const run = await start();
    flatMarket(run);
    expect(await run.received()).toEqual({ intents: [], opportunities: [] });

    // bybit now pays 0.02 % every hour: per hour 2e-4 against binanceusdm's and okx's 1.25e-5.
    run.push(funding('bybit', BTC, 0.0002, 1, 1_500));
    const { intents, opportunities } = await run.received();
    expect(intents).toEqual([expect.objectContaining({ type: 'SubmitMultiLeg', ts: 1_500, legs: [expect.objectContaining({ venue: 'bybit', side: 'sell' }), expect.objectContaining({ side: 'buy' })] })]);
    expect(opportunityFor(opportunities, BTC)).toMatchObject({ ts: 1_500, decision: 'act' });

    // The timer path, given the same market, sends the same command (same economics, same intentSeq).
    const timer = await start({ actOnTick: false });
    flatMarket(timer);
    timer.push(funding('bybit', BTC, 0.0002, 1, 1_500));
    const timed = await timer.evaluate();
    // …except that each says which path decided it.
    expect(timed.intents).toEqual(intents.map((command) => ({ ...command, path: 'timer' })));
    expect(timed.opportunities).toEqual(opportunities);

    // While the intent is in flight, ticks send nothing and the timer reports the hold: no second entry.
    run.push(funding('bybit', BTC, 0.0003, 1, 1_600), top('bybit', BTC, 59_998, 10, 60_002, 10, 1_700));
    expect(await run.received()).toEqual({ intents: [], opportunities: [] });
    const evaluated = await run.evaluate();
    expect(evaluated.intents).toEqual([]);
    expect(opportunityFor(evaluated.opportunities, BTC)).toMatchObject({ decision: 'hold', reason: expect.stringMatching(/^waiting for intent/) });
  });

  it('enters on the BookTop that completes the picture (a diverged venue had no fresh book)', async () => {
    const run = await start();
    run.push(levels('okx', BTC, 59_997, 60_003, 10, 1_000), funding('okx', BTC, 0.0001, 8, 1_000), funding('bybit', BTC, 0.0002, 1, 1_100));
    // bybit has funding but no book: freshFunding needs a usable venue, so there is no pair yet.
    expect(await run.received()).toEqual({ intents: [], opportunities: [] });
    run.push(top('bybit', BTC, 59_997, 10, 60_003, 10, 1_800));
    const { intents } = await run.received();
    expect(intents).toEqual([expect.objectContaining({ type: 'SubmitMultiLeg', ts: 1_800, legs: [expect.objectContaining({ venue: 'bybit', side: 'sell' }), expect.objectContaining({ venue: 'okx', side: 'buy' })] })]);
  });

  it('stamps the triggering message ts even when the other leg saw newer data (rings deliver per venue)', async () => {
    const run = await start();
    flatMarket(run);
    // binanceusdm's book update entered the process at 2 000 and was read first; bybit's funding
    // entered at 1 500 and is what made the entry due: latency counts from it.
    run.push(top('binanceusdm', BTC, 59_997, 10, 60_003, 10, 2_000));
    await run.received();
    run.push(funding('bybit', BTC, 0.0002, 1, 1_500));
    expect((await run.received()).intents).toEqual([expect.objectContaining({ type: 'SubmitMultiLeg', ts: 1_500 })]);
  });

  it('exits on the FundingRate that takes the edge below exitAprPct, and not on ticks that leave it above', async () => {
    const run = await start();
    flatMarket(run);
    run.push(funding('bybit', BTC, 0.0002, 1, 1_500));
    const entry = (await run.received()).intents[0] as MultiLeg;
    run.push(filled(entry, 0, 59_997), filled(entry, 1, 60_003));
    expect(opportunityFor((await run.evaluate()).opportunities, BTC).decision).toBe('hold');

    // Still 155 %/yr (1.9e-4 − 1.25e-5 per hour), then a book tick: the hold stands, nothing is sent.
    run.push(funding('bybit', BTC, 0.00019, 1, 2_000), top('binanceusdm', BTC, 59_998, 10, 60_002, 10, 2_100));
    expect(await run.received()).toEqual({ intents: [], opportunities: [] });
    run.push(funding('bybit', BTC, 0.0001, 8, 3_000));
    const { intents, opportunities } = await run.received();
    expect(opportunityFor(opportunities, BTC)).toMatchObject({ ts: 3_000, decision: 'exit', reason: 'funding edge 0 %/yr < exitAprPct 5' });
    expect(intents).toEqual([expect.objectContaining({ type: 'SubmitMultiLeg', ts: 3_000, intentSeq: entry.intentSeq + 1 })]);
    expect((intents[0] as MultiLeg).legs.every((leg) => leg.reduceOnly)).toBe(true);
  });

  it('opens nothing on a tick while trading is not ACTIVE', async () => {
    const run = await start();
    run.push(tradingState('REDUCING'));
    await run.received(); // events and md come on different rings: let the state land first
    flatMarket(run);
    run.push(funding('bybit', BTC, 0.0002, 1, 1_500));
    expect(await run.received()).toEqual({ intents: [], opportunities: [] });
  });

  it('keeps an in-flight tick entry across snapshot → restore: the restored actor does not send it again', async () => {
    const original = await start();
    flatMarket(original);
    original.push(funding('bybit', BTC, 0.0002, 1, 1_500));
    expect((await original.received()).intents).toHaveLength(1);
    const restored = await start({}, { clock: original.clock, restore: original.harness.snapshot() });
    restored.push(funding('bybit', BTC, 0.0003, 1, 1_600));
    expect(await restored.received()).toEqual({ intents: [], opportunities: [] });
    expect(opportunityFor((await restored.evaluate()).opportunities, BTC)).toMatchObject({ decision: 'hold' });
  });
});

describe('funding-carry: ticks that change nothing return null', () => {
  it('for a flat market, a symbol or venue it does not trade, and actOnTick false', () => {
    const { tick } = engineWith(flatMessages());
    expect(tick(top('bybit', BTC, 59_998, 10, 60_002, 10, 2_000))).toBeNull();
    expect(tick(funding('okx', BTC, 0.00012, 8, 2_100))).toBeNull();
    expect(tick(funding('bybit', 'ETH/USDT:USDT', 0.002, 1, 2_200))).toBeNull();
    expect(tick(funding('hyperliquid', BTC, 0.002, 1, 2_300))).toBeNull();
    const off = engineWith(flatMessages(), { actOnTick: false });
    expect(off.tick(funding('bybit', BTC, 0.0002, 1, 2_400))).toBeNull();
  });

  it('when the funding would pay the fees but the spread eats the rest (the full economics ran and said skip)', () => {
    // bybit − okx: 2.8889e-4 per 8 h = 26 bps over 72 h, above 5 + 4 × 5 bps of fees (the cheap bound),
    // but the round trip costs 2 × (5.5 + 5) fees + 2 × (0.5 + 0.5) spread = 23: net 3 < 5.
    const { tick, state, params } = engineWith([levels('okx', BTC, 59_997, 60_003), funding('okx', BTC, 0.0001, 8), levels('bybit', BTC, 59_997, 60_003)], { venues: ['bybit', 'okx'] });
    expect(tick(funding('bybit', BTC, 0.0001 + 0.00028889, 8, 2_000))).toBeNull();
    const timer = fundingCarryEngine.evaluate(state, params, 1_700_000_000_000);
    expect(timer.commands).toEqual([]);
    expect(opportunityFor(timer.opportunities, BTC)).toMatchObject({ decision: 'skip', reason: expect.stringMatching(/^net 3 bps over 72 h = funding 26 − costs 23 < entryEdgeBps 5$/) });
  });

  it('returns the command itself when the tick opens the entry', () => {
    const { tick } = engineWith(flatMessages());
    const out = tick(funding('bybit', BTC, 0.0002, 1, 2_500));
    expect(out?.commands).toEqual([expect.objectContaining({ type: 'SubmitMultiLeg', ts: 2_500 })]);
    expect(tick(top('bybit', BTC, 59_998, 10, 60_002, 10, 2_600))).toBeNull();
  });
});
