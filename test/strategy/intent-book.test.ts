import { describe, expect, it } from 'vitest';
import { message, UNSTAMPED_DECISION } from '../../src/protocol/index.js';
import { applyOrderEvent, backoffOf, bookNewerThanFill, createIntentBook, inFlight, positionQty, registerIntent, settleIntents } from '../../src/trading/strategy/intent-book.js';
import { canceled, filled } from './helpers.js';

const T0 = Date.UTC(2026, 0, 1);
const BTC = 'BTC/USDT:USDT';
const leg = (venue: string, side: 'buy' | 'sell') => ({ venue, symbol: BTC, side, orderType: 'limit' as const, timeInForce: 'IOC' as const, qty: 0.5, limitPx: 60_000, reduceOnly: false });

describe('strategy ledger', () => {
  it('starts intentSeq from the wall clock, so a restart without a snapshot never reuses one', () => {
    const before = createIntentBook('carry', T0);
    const seq = registerIntent(before, BTC, 'entry', 2, T0, 30_000);
    const afterRestart = createIntentBook('carry', T0 + 1_000);
    expect(registerIntent(afterRestart, BTC, 'entry', 2, T0 + 1_000, 30_000)).toBeGreaterThan(seq);
  });

  it('writes off an intent execution never answers, and backs its opportunity off', () => {
    const ledger = createIntentBook('carry', T0);
    registerIntent(ledger, BTC, 'entry', 2, T0, 30_000);
    expect(settleIntents(ledger, T0 + 29_999, 10_000)).toEqual([]);
    expect(inFlight(ledger, BTC)).not.toBeNull();
    const [done] = settleIntents(ledger, T0 + 30_000, 10_000);
    expect(done?.failure).toBe('no final answer from execution by the intent deadline');
    expect(inFlight(ledger, BTC)).toBeNull();
    expect(backoffOf(ledger, BTC, T0 + 39_999)?.reason).toBe('no final answer from execution by the intent deadline');
    expect(backoffOf(ledger, BTC, T0 + 40_000)).toBeNull();
    expect(ledger.counters.unanswered).toBe(1);
  });

  it('moves positions with fills and takes execution’s PositionChanged as the authority', () => {
    const ledger = createIntentBook('carry', T0);
    const intentSeq = registerIntent(ledger, BTC, 'entry', 2, T0, 30_000);
    const command = message('SubmitMultiLeg', { ...UNSTAMPED_DECISION, ts: 0, strategyId: 'carry', intentSeq, legs: [leg('bybit', 'sell'), leg('okx', 'buy')], onLegFailure: 'unwind', toleranceUsd: 25, timeoutMs: 5_000 });
    applyOrderEvent(ledger, filled(command, 0, 60_000, { fee: 15 }), T0, 10_000, 5_000);
    expect(positionQty(ledger, 'bybit', BTC)).toBe(-0.5);
    expect(inFlight(ledger, BTC)).not.toBeNull(); // leg 1 has no answer yet
    applyOrderEvent(ledger, filled(command, 1, 60_010), T0, 10_000, 5_000);
    // The last leg's final event closes the intent: the timer has nothing left to settle.
    expect(inFlight(ledger, BTC)).toBeNull();
    expect(settleIntents(ledger, T0 + 1, 10_000)).toEqual([]);

    const update = { ts: 0, strategyId: 'carry', venue: 'bybit', symbol: BTC, qty: -0.4, avgEntryPx: 60_001, markPx: 60_000, realizedPnl: 0, unrealizedPnl: 0.4, fees: 15.2, fundingPnl: 3 };
    applyOrderEvent(ledger, message('PositionChanged', update), T0, 10_000, 6_000);
    expect(ledger.positions[`bybit|${BTC}`]).toEqual({ venue: 'bybit', symbol: BTC, position: { qty: -0.4, avgEntryPx: 60_001, realizedPnl: 0, fees: 15.2, fundingPnl: 3 }, unrealizedPnl: 0.4 });
    // Crumbs below dustUsd are flat for position management.
    expect(positionQty(ledger, 'bybit', BTC, 30_000)).toBe(0);
    expect(positionQty(ledger, 'bybit', BTC, 10)).toBe(-0.4);
  });

  it('closes an intent on the event that answers its last leg, and not while an imbalance is under repair', () => {
    const ledger = createIntentBook('spread', T0);
    const intentSeq = registerIntent(ledger, BTC, 'trade', 2, T0, 30_000);
    const command = message('SubmitMultiLeg', { ...UNSTAMPED_DECISION, ts: 0, strategyId: 'spread', intentSeq, legs: [leg('bybit', 'sell'), leg('okx', 'buy')], onLegFailure: 'unwind', toleranceUsd: 25, timeoutMs: 5_000 });
    applyOrderEvent(ledger, filled(command, 0, 60_000), T0, 10_000, 5_000);
    applyOrderEvent(ledger, message('LegImbalanceUpdated', { ts: 0, strategyId: 'spread', intentSeq, netNotionalUsd: 30_000, action: 'detected', detail: 'leg 1 short' }), T0, 10_000, 5_100);
    applyOrderEvent(ledger, canceled(command, 1), T0, 10_000, 5_200);
    expect(inFlight(ledger, BTC)?.intentSeq).toBe(intentSeq); // every leg answered, the repair still runs
    applyOrderEvent(ledger, message('LegImbalanceUpdated', { ts: 0, strategyId: 'spread', intentSeq, netNotionalUsd: 0, action: 'resolved', detail: 'unwound' }), T0 + 50, 10_000, 5_300);
    expect(inFlight(ledger, BTC)).toBeNull();
    expect(ledger.intents[intentSeq]?.doneAtMs).toBe(T0 + 50);
  });

  it('trusts a book for a market only once it is newer than the last fill there', () => {
    const ledger = createIntentBook('spread', T0);
    const intentSeq = registerIntent(ledger, BTC, 'trade', 2, T0, 30_000);
    const command = message('SubmitMultiLeg', { ...UNSTAMPED_DECISION, ts: 0, strategyId: 'spread', intentSeq, legs: [leg('bybit', 'sell'), leg('okx', 'buy')], onLegFailure: 'unwind', toleranceUsd: 25, timeoutMs: 5_000 });
    const lastTs = new Map([[`bybit|${BTC}`, 4_000]]);
    expect(bookNewerThanFill(ledger, lastTs, 'bybit', BTC)).toBe(true); // no fill yet
    applyOrderEvent(ledger, filled(command, 0, 60_000), T0, 10_000, 5_000);
    expect(bookNewerThanFill(ledger, lastTs, 'bybit', BTC)).toBe(false);
    expect(bookNewerThanFill(ledger, lastTs, 'okx', BTC)).toBe(true); // no fill there
    lastTs.set(`bybit|${BTC}`, 5_001);
    expect(bookNewerThanFill(ledger, lastTs, 'bybit', BTC)).toBe(true);
  });
});
