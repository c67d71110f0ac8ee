import { describe, expect, it } from 'vitest';
import { QuoteBook } from '../../src/trading/market/book.js';
import { bookLevels, bookTop, fundingRate, manualClock, markPrice, venueStatus } from './helpers.js';

const PERP = 'BTC/USDT:USDT';

describe('QuoteBook snapshot and restore', () => {
  it('survives structuredClone with quotes, levels, funding, marks, ages and venue states intact', () => {
    const clock = manualClock(50_000);
    const options = { now: clock.now, maxAgeMs: 1_000, beyondDepthPenaltyBps: 50 };
    const book = new QuoteBook(options);
    book.apply(bookLevels('okx', PERP, [99, 2, 98, 5], [101, 1, 102, 4]));
    book.apply(markPrice('okx', PERP, 100.5));
    book.apply(fundingRate('okx', PERP, 0.0003, 4, 60_000, false));
    book.apply(bookTop('bybit', PERP, 100, 1, 100.2, 1));
    book.apply(venueStatus('bybit', '', 'stale'));
    clock.advance(400);

    const restored = QuoteBook.restore(structuredClone(book.snapshot()), options);

    expect(restored.top('okx', PERP)).toEqual(book.top('okx', PERP));
    expect(restored.top('okx', PERP)?.ageMs).toBe(400);
    expect(restored.referencePx('okx', PERP)).toBe(100.5);
    expect(restored.funding('okx', PERP)).toEqual({ rate: 0.0003, intervalHours: 4, nextFundingTimeMs: 60_000, settled: false, receivedMs: 50_000 });
    expect(restored.estimateSlippage('okx', PERP, 'buy', 300)).toEqual(book.estimateSlippage('okx', PERP, 'buy', 300));
    expect(restored.depth('okx', PERP, 'sell')?.source).toBe('levels');
    // The venue-wide stale verdict is part of the state, not something a restart forgets.
    expect(restored.top('bybit', PERP)).toBeNull();
    restored.apply(venueStatus('bybit', '', 'up'));
    expect(restored.mid('bybit', PERP)).toBeCloseTo(100.1, 12);

    // Ages keep running on the shared clock after the restore.
    clock.advance(601);
    expect(restored.top('okx', PERP)).toBeNull();
  });

  it('is a copy: updating the restored book leaves the original alone', () => {
    const clock = manualClock();
    const options = { now: clock.now, maxAgeMs: 1_000 };
    const book = new QuoteBook(options);
    book.apply(bookLevels('binance', 'BTC/USDT', [99, 1], [101, 1]));
    const restored = QuoteBook.restore(book.snapshot(), options);
    restored.apply(bookLevels('binance', 'BTC/USDT', [90, 1], [91, 1]));
    expect(book.mid('binance', 'BTC/USDT')).toBe(100);
    expect(restored.mid('binance', 'BTC/USDT')).toBe(90.5);
  });
});
