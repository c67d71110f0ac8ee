import { describe, expect, it } from 'vitest';
import { message } from '../../src/protocol/index.js';
import carry from '../../actors/strategy/funding-carry.js';
import { parseFundingCarryParams } from '../../src/trading/strategy/funding-carry.js';
import { allMarketRules, commandDenied, filled, funding, legImbalance, levels, opportunityFor, rejected, runnerFor, sameDecisions, StrategyRun, tradingState, venueStatus, type MultiLeg } from './helpers.js';

const BTC = 'BTC/USDT:USDT';
const ETH = 'ETH/USDT:USDT';
const HOUR = 3_600_000;
/** 10 000 USD at a 60 000 mid, on the published 0.0001 perp step (test/strategy/helpers.ts allMarketRules). */
const QTY = 0.1666;

// The decision tests drive the timer path; the tick path has its own tests (funding-carry-tick.test.ts).
const start = runnerFor(carry, { venues: ['binanceusdm', 'bybit', 'okx'], symbols: [BTC], actOnTick: false });

/** Books at 59 997 / 60 003 (1 bp wide, 10 BTC a level) and the given funding, each venue with its own ts. */
function market(run: StrategyRun, rates: Record<string, [rate: number, intervalHours: number]>, ts: Record<string, number> = {}): void {
  for (const [venue, [rate, intervalHours]] of Object.entries(rates)) {
    run.push(levels(venue, BTC, 59_997, 60_003, 10, ts[venue] ?? 1_000), funding(venue, BTC, rate, intervalHours, ts[venue] ?? 1_000));
  }
}

/**
 * bybit pays 0.02 % every hour (2e-4 per hour), okx 0.10 % every 8 h (1.25e-4), binanceusdm 0.04 %
 * every 8 h (5e-5). Compared raw, okx pays most and bybit least; per hour bybit pays most and
 * binanceusdm least, so only a strategy that normalises picks short bybit / long binanceusdm.
 */
const DIVERGED: Record<string, [number, number]> = { bybit: [0.0002, 1], okx: [0.001, 8], binanceusdm: [0.0004, 8] };

const FLAT: Record<string, [number, number]> = { bybit: [0.0001, 8], okx: [0.0001, 8], binanceusdm: [0.0001, 8] };

/** Opens the carry of DIVERGED and fills both legs at the touch. */
async function openCarry(run: StrategyRun): Promise<MultiLeg> {
  market(run, DIVERGED);
  const { intents } = await run.evaluate();
  const entry = intents[0] as MultiLeg;
  run.push(filled(entry, 0, 59_997), filled(entry, 1, 60_003));
  const { opportunities } = await run.evaluate();
  expect(opportunityFor(opportunities, BTC)).toMatchObject({ decision: 'hold', reason: expect.stringMatching(/^holding 0 h: funding edge 131.4 %\/yr ≥ exitAprPct 5$/) });
  return entry;
}

describe('funding-carry: entry', () => {
  it('shorts where funding per hour is highest (1 h vs 8 h), longs where lowest, matched in size', async () => {
    const run = await start();
    // Each venue's data arrives with its own ts; the command carries the newest of the pair it trades.
    market(run, DIVERGED, { bybit: 1_100, binanceusdm: 1_200, okx: 1_300 });
    const { intents, opportunities } = await run.evaluate();

    expect(intents).toEqual([
      message('SubmitMultiLeg', {
        ts: 1_200,
        strategyId: 'harness',
        intentSeq: Math.floor(run.clock.wallMs() / 100) + 1,
        legs: [
          { venue: 'bybit', symbol: BTC, side: 'sell', orderType: 'limit', timeInForce: 'IOC', qty: QTY, limitPx: 59_997 * (1 - 10e-4), reduceOnly: false },
          { venue: 'binanceusdm', symbol: BTC, side: 'buy', orderType: 'limit', timeInForce: 'IOC', qty: QTY, limitPx: 60_003 * (1 + 10e-4), reduceOnly: false },
        ],
        onLegFailure: 'unwind',
        toleranceUsd: 25,
        timeoutMs: 5_000,
        // Decided by the evaluation timer, which fired (and finished) at the clock's mono time.
        path: 'timer',
        strategyInNs: run.clock.nowMonoNs,
        decidedNs: run.clock.nowMonoNs,
      }),
    ]);
    // Gross: (2e-4 − 5e-5) per hour × 72 h = 108 bps. Costs: bybit (5.5 fee + 0.5 half-spread)
    // and binanceusdm (5 + 0.5), entry and exit: 23 bps. Net 85 bps of 9 996 USD.
    const netUsd = QTY * 60_000 * 85e-4;
    const opportunity = opportunityFor(opportunities, BTC);
    expect(opportunity).toMatchObject({ ts: 1_200, kind: 'funding-carry', venues: 'short:bybit long:binanceusdm', decision: 'act' });
    expect(opportunity.edgeBps).toBeCloseTo(85, 3);
    expect(opportunity.expectedPnlUsd).toBeCloseTo(netUsd / 9, 3); // per 8 h interval, of 72 h
    expect(opportunity.annualizedPct).toBeCloseTo(1.5e-4 * 8760 * 100, 3);
    expect(opportunity.reason).toBe('net 85 bps over 72 h = funding 108 − costs 23 ≥ entryEdgeBps 5: short BTC/USDT:USDT@bybit, long BTC/USDT:USDT@binanceusdm, 0.1666 each');
  });

  it('skips with the economics when costs eat the edge, and acts when fees are lower', async () => {
    // bybit 0.0375 % / 8 h vs okx 0.01 % / 8 h: 3.4375e-5 per hour × 72 h = 24.75 bps gross.
    const rates: Record<string, [number, number]> = { bybit: [0.000375, 8], okx: [0.0001, 8] };
    const run = await start({ venues: ['bybit', 'okx'] });
    market(run, rates);
    const skipped = await run.evaluate();
    expect(skipped.intents).toEqual([]);
    // Costs 2 × (5.5 + 0.5) + 2 × (5 + 0.5) = 23 bps: 1.75 left, below the 5 bps threshold.
    expect(opportunityFor(skipped.opportunities, BTC)).toMatchObject({
      decision: 'skip',
      reason: 'net 1.75 bps over 72 h = funding 24.75 − costs 23 < entryEdgeBps 5',
    });

    // The account's tier, as execution publishes it from the venues' fee endpoints.
    const cheapRules = allMarketRules().map((rules) => (rules.symbol === BTC && (rules.venue === 'bybit' || rules.venue === 'okx') ? { ...rules, takerRateBps: 2, feeSource: 'venue' as const } : rules));
    const cheap = await start({ venues: ['bybit', 'okx'] }, { rules: cheapRules });
    market(cheap, rates);
    const acted = await cheap.evaluate();
    // Costs 4 × (2 + 0.5) = 10 bps: 14.75 left.
    expect(opportunityFor(acted.opportunities, BTC)).toMatchObject({ decision: 'act', edgeBps: 14.75 });
    expect(acted.intents).toHaveLength(1);
  });

  it('publishes nothing for a symbol until two venues have funding, then one opportunity per symbol', async () => {
    const run = await start({ symbols: [BTC, ETH] });
    run.push(levels('bybit', BTC, 59_997, 60_003), funding('bybit', BTC, 0.0002, 1));
    expect((await run.evaluate()).opportunities).toEqual([]);
    market(run, DIVERGED);
    run.push(levels('okx', ETH, 2_999.9, 3_000.1), funding('okx', ETH, 0.0001, 8), levels('bybit', ETH, 2_999.9, 3_000.1), funding('bybit', ETH, 0.0001, 8));
    const { opportunities } = await run.evaluate();
    expect(opportunities.map((o) => [o.symbol, o.decision])).toEqual([
      [BTC, 'act'],
      [ETH, 'skip'],
    ]);
  });
});

describe('funding-carry: holding and exits', () => {
  it('holds across settlements, then exits with reduce-only legs when the edge falls below exitAprPct', async () => {
    const run = await start();
    const entry = await openCarry(run);
    run.push(message('FundingSettled', { ts: 3_000, strategyId: 'harness', venue: 'bybit', symbol: BTC, rate: 0.0002, positionQty: -QTY, markPx: 60_000, amount: 2 }));
    market(run, DIVERGED);
    expect(opportunityFor((await run.evaluate()).opportunities, BTC).decision).toBe('hold');
    expect(run.status()).toMatchObject({ pnl: { fundingReceivedUsd: 2 }, carries: [{ key: BTC, short: `${BTC}@bybit`, long: `${BTC}@binanceusdm`, qty: QTY, phase: 'open' }] });

    // Funding converges everywhere: nothing left to earn.
    market(run, FLAT, { bybit: 5_000, binanceusdm: 4_000 });
    const { intents, opportunities } = await run.evaluate();
    expect(opportunityFor(opportunities, BTC)).toMatchObject({ decision: 'exit', reason: 'funding edge 0 %/yr < exitAprPct 5' });
    expect(intents).toEqual([
      expect.objectContaining({
        type: 'SubmitMultiLeg',
        ts: 5_000,
        intentSeq: entry.intentSeq + 1,
        legs: [
          { venue: 'bybit', symbol: BTC, side: 'buy', orderType: 'limit', timeInForce: 'IOC', qty: QTY, limitPx: 60_003 * (1 + 10e-4), reduceOnly: true },
          { venue: 'binanceusdm', symbol: BTC, side: 'sell', orderType: 'limit', timeInForce: 'IOC', qty: QTY, limitPx: 59_997 * (1 - 10e-4), reduceOnly: true },
        ],
      }),
    ]);
    // Once the exit fills the carry is forgotten and the symbol is an entry candidate again.
    const exit = intents[0] as MultiLeg;
    run.push(filled(exit, 0, 60_003), filled(exit, 1, 59_997));
    expect(opportunityFor((await run.evaluate()).opportunities, BTC).decision).toBe('skip');
    expect(run.status()).toMatchObject({ carries: [], openPositions: [] });
  });

  it('exits at max holding time by the clock', async () => {
    const run = await start({ maxHoldingHours: 48 });
    await openCarry(run);
    run.clock.advance(48 * HOUR - 1);
    market(run, DIVERGED);
    expect(opportunityFor((await run.evaluate()).opportunities, BTC).decision).toBe('hold');
    run.clock.advance(1);
    market(run, DIVERGED);
    const { intents, opportunities } = await run.evaluate();
    expect(opportunityFor(opportunities, BTC)).toMatchObject({ decision: 'exit', reason: 'held 48 h ≥ maxHoldingHours 48' });
    expect(intents).toHaveLength(1);
  });

  it('exits when a venue stays stale past staleExitAfterMs, with a market order where there is no price', async () => {
    const run = await start();
    await openCarry(run);
    run.push(venueStatus('bybit', 'stale'));
    expect(opportunityFor((await run.evaluate()).opportunities, BTC)).toMatchObject({ decision: 'hold', reason: 'holding 0 h: funding unknown, edge not re-checked' });
    run.clock.advance(10_000);
    market(run, { binanceusdm: DIVERGED.binanceusdm as [number, number] });
    const { intents, opportunities } = await run.evaluate();
    expect(opportunityFor(opportunities, BTC)).toMatchObject({ decision: 'exit', reason: `${BTC}@bybit stale or down for 10 s (staleExitAfterMs 10000)` });
    expect((intents[0] as MultiLeg).legs).toEqual([
      { venue: 'bybit', symbol: BTC, side: 'buy', orderType: 'market', timeInForce: 'IOC', qty: QTY, limitPx: null, reduceOnly: true },
      { venue: 'binanceusdm', symbol: BTC, side: 'sell', orderType: 'limit', timeInForce: 'IOC', qty: QTY, limitPx: 59_997 * (1 - 10e-4), reduceOnly: true },
    ]);
  });

  it('closes the residue when only one leg filled', async () => {
    const run = await start();
    market(run, DIVERGED);
    const entry = (await run.evaluate()).intents[0] as MultiLeg;
    // binanceusdm rejects its leg and execution's unwind of the bybit leg gives up.
    run.push(filled(entry, 0, 59_997), rejected(entry, 1), legImbalance(entry, 'detected'), legImbalance(entry, 'unwind'), legImbalance(entry, 'failed'));
    const { intents, opportunities } = await run.evaluate();
    // The failure backs the key off, exits included: the residue waits and the reason says so.
    expect(opportunityFor(opportunities, BTC)).toMatchObject({
      decision: 'hold',
      reason: expect.stringMatching(/^exit due \(only one leg is open: closing the residue\) but backing off 30 s after: rejected by binanceusdm: -2010/),
    });
    expect(intents).toEqual([]);
    run.clock.advance(30_000);
    market(run, DIVERGED);
    const later = await run.evaluate();
    expect(later.intents).toEqual([expect.objectContaining({ type: 'SubmitOrder', venue: 'bybit', side: 'buy', qty: QTY, reduceOnly: true })]);
  });
});

describe('funding-carry: back-off and trading state', () => {
  it('backs off an opportunity after a denial instead of resending it', async () => {
    const run = await start({ backoffMs: 20_000 });
    market(run, DIVERGED);
    const entry = (await run.evaluate()).intents[0] as MultiLeg;
    run.push(commandDenied(entry, 'strategy_budget'));
    market(run, DIVERGED);
    const during = await run.evaluate();
    expect(during.intents).toEqual([]);
    expect(opportunityFor(during.opportunities, BTC)).toMatchObject({ decision: 'skip', reason: expect.stringMatching(/^backing off 20 s after: denied strategy_budget: test; net 85 bps/) });
    expect(run.status()).toMatchObject({ counters: { denied: 1, acted: 1 }, backoff: [{ key: BTC, reason: 'denied strategy_budget: test' }], carries: [] });

    run.clock.advance(20_000);
    market(run, DIVERGED);
    const after = await run.evaluate();
    expect(after.intents).toEqual([expect.objectContaining({ type: 'SubmitMultiLeg', intentSeq: entry.intentSeq + 1 })]);
  });

  it('opens nothing while HALTED or REDUCING, holds exits while HALTED and lets them out while REDUCING', async () => {
    const run = await start();
    run.push(tradingState('HALTED'));
    market(run, DIVERGED);
    const halted = await run.evaluate();
    expect(halted.intents).toEqual([]);
    expect(opportunityFor(halted.opportunities, BTC).reason).toMatch(/^trading HALTED \(test\): no new entries; net 85 bps/);
    run.push(tradingState('REDUCING'));
    const reducingEntry = await run.evaluate();
    expect(reducingEntry.intents).toEqual([]);
    expect(opportunityFor(reducingEntry.opportunities, BTC).reason).toMatch(/^trading REDUCING \(test\): no new entries/);

    run.push(tradingState('ACTIVE'));
    await openCarry(run);
    run.push(tradingState('HALTED'));
    market(run, FLAT);
    const held = await run.evaluate();
    expect(held.intents).toEqual([]);
    expect(opportunityFor(held.opportunities, BTC).reason).toBe('exit due (funding edge 0 %/yr < exitAprPct 5) but trading HALTED (test): exits wait');

    run.push(tradingState('REDUCING'));
    const reducing = await run.evaluate();
    expect(opportunityFor(reducing.opportunities, BTC).decision).toBe('exit');
    expect((reducing.intents[0] as MultiLeg).legs.every((leg) => leg.reduceOnly)).toBe(true);
  });
});

describe('funding-carry: hot reload', () => {
  it('makes the same decisions after snapshot → restore, and intentSeq carries on', async () => {
    const original = await start();
    const entry = await openCarry(original);
    const snapshot = original.harness.snapshot();
    const restored = await start({}, { clock: original.clock, restore: snapshot });

    const b = await sameDecisions(original, restored, (run) => market(run, FLAT, { bybit: 7_000 }));
    expect(b.intents).toEqual([expect.objectContaining({ type: 'SubmitMultiLeg', intentSeq: entry.intentSeq + 1, ts: 7_000 })]);
    expect(restored.status()).toMatchObject({ counters: { acted: 1, fills: 2 }, carries: [{ key: BTC, phase: 'exit' }] });
  });

  it('still manages a carry whose symbol the reloaded config no longer lists', async () => {
    const original = await start();
    await openCarry(original);
    const restored = await start({ symbols: [ETH] }, { clock: original.clock, restore: original.harness.snapshot() });
    market(restored, FLAT);
    const { intents, opportunities } = await restored.evaluate();
    expect(opportunityFor(opportunities, BTC).decision).toBe('exit');
    expect((intents[0] as MultiLeg).legs.map((leg) => [leg.venue, leg.side, leg.reduceOnly])).toEqual([
      ['bybit', 'buy', true],
      ['binanceusdm', 'sell', true],
    ]);
  });

  it('refuses a snapshot from a version it cannot migrate', async () => {
    const original = await start();
    const snapshot = original.harness.snapshot();
    await expect(StrategyRun.start(carry, {}, { restore: { version: '0', snapshot: snapshot.snapshot } })).rejects.toThrow(/cannot restore a version 0 snapshot into version 1/);
  });
});

describe('funding-carry: params', () => {
  it('names the field and the value that are wrong', () => {
    expect(() => parseFundingCarryParams({ venues: ['bybit'] })).toThrow(/venues: Too small: expected array to have >=2 items, got \["bybit"\]/);
    expect(() => parseFundingCarryParams({ symbols: ['BTC/USDT'] })).toThrow(/symbols\[0\]: expected a perp symbol BASE\/QUOTE:SETTLE, got "BTC\/USDT"/);
    expect(() => parseFundingCarryParams({ entryEdgeBps: '5' })).toThrow(/entryEdgeBps: .*got "5"/);
    expect(() => parseFundingCarryParams({ onLegFailure: 'pray' })).toThrow(/onLegFailure: .*got "pray"/);
    expect(() => parseFundingCarryParams({ notionalUSD: 5 })).toThrow(/Unrecognized key: "notionalUSD"/);
    expect(parseFundingCarryParams(undefined)).toMatchObject({ venues: ['binanceusdm', 'bybit', 'okx'], holdingHours: 72, entryEdgeBps: 5, onLegFailure: 'unwind' });
  });
});
