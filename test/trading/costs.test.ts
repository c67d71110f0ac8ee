import { describe, expect, it } from 'vitest';
import { legCostFromBook, oneWayCostBps, roundTripCostBps } from '../../src/trading/market/costs.js';
import { QuoteBook } from '../../src/trading/market/book.js';
import { bookLevels, manualClock } from './helpers.js';

describe('costs', () => {
  it('adds fee, half spread and slippage for one crossing', () => {
    expect(oneWayCostBps({ takerRateBps: 5, spreadBps: 2, slippageBps: 1.5 })).toBe(7.5);
  });

  it('charges entry and exit on every leg for a round trip', () => {
    const legs = [
      { takerRateBps: 5, spreadBps: 2, slippageBps: 1 }, // 7 per crossing
      { takerRateBps: 5.5, spreadBps: 1, slippageBps: 0 }, // 6 per crossing
    ];
    expect(roundTripCostBps(legs)).toBeCloseTo(26, 12);
    expect(roundTripCostBps([])).toBe(0);
  });

  it('reads a leg cost from the live book and the fee schedule', () => {
    const clock = manualClock();
    const book = new QuoteBook({ now: clock.now, maxAgeMs: 1_000 });
    book.apply(bookLevels('okx', 'BTC/USDT:USDT', [99.99, 10], [100.01, 10]));
    const cost = legCostFromBook(book, 5, 'okx', 'BTC/USDT:USDT', 'sell', 500)!;
    expect(cost.takerRateBps).toBe(5);
    expect(cost.spreadBps).toBeCloseTo(0.02 / 100 * 1e4, 9); // 2 bps
    expect(cost.slippageBps).toBe(0);
    clock.advance(1_001);
    expect(legCostFromBook(book, 5, 'okx', 'BTC/USDT:USDT', 'sell', 500)).toBeNull();
  });
});
