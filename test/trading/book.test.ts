import { describe, expect, it } from 'vitest';
import { QuoteBook, slippageFromLevels, walkLevels } from '../../src/trading/market/book.js';
import { bookLevels, bookTop, fundingRate, manualClock, markPrice, venueStatus } from './helpers.js';

const SYM = 'BTC/USDT';
const PERP = 'BTC/USDT:USDT';

function setup(maxAgeMs = 1_000) {
  const clock = manualClock(10_000);
  const book = new QuoteBook({ now: clock.now, maxAgeMs, beyondDepthPenaltyBps: 50 });
  return { clock, book };
}

describe('QuoteBook tops', () => {
  it('reports mid and spread of the latest top', () => {
    const { book } = setup();
    book.apply(bookTop('binance', SYM, 99, 1, 101, 2));
    expect(book.mid('binance', SYM)).toBe(100);
    expect(book.spreadBps('binance', SYM)).toBeCloseTo(200, 9); // 2 / 100 = 2 %
    expect(book.top('binance', SYM)).toMatchObject({ bidPx: 99, bidSz: 1, askPx: 101, askSz: 2, ageMs: 0 });
  });

  it('treats a quote older than maxAgeMs as absent', () => {
    const { book, clock } = setup(1_000);
    book.apply(bookTop('okx', SYM, 99, 1, 101, 1));
    clock.advance(1_000);
    expect(book.mid('okx', SYM)).toBe(100);
    clock.advance(1);
    expect(book.mid('okx', SYM)).toBeNull();
    expect(book.referencePx('okx', SYM)).toBeNull();
    expect(book.isFresh('okx', SYM)).toBe(false);
  });

  it('treats a venue reported stale or down as absent until it is reported up', () => {
    const { book } = setup();
    book.apply(bookTop('bybit', SYM, 99, 1, 101, 1));
    book.apply(venueStatus('bybit', '', 'stale'));
    expect(book.top('bybit', SYM)).toBeNull();
    // A fresh quote alone does not override the feed's verdict.
    book.apply(bookTop('bybit', SYM, 99, 1, 101, 1));
    expect(book.top('bybit', SYM)).toBeNull();
    book.apply(venueStatus('bybit', '', 'up'));
    expect(book.mid('bybit', SYM)).toBe(100);
    book.apply(venueStatus('bybit', SYM, 'down'));
    expect(book.mid('bybit', SYM)).toBeNull();
    book.apply(venueStatus('bybit', SYM, 'degraded'));
    expect(book.mid('bybit', SYM)).toBe(100);
  });

  it('treats a crossed top as absent', () => {
    const { book } = setup();
    book.apply(bookTop('okx', SYM, 101, 1, 100, 1));
    expect(book.top('okx', SYM)).toBeNull();
  });

  it('prefers a fresh mark as the reference price, else the mid', () => {
    const { book, clock } = setup(1_000);
    book.apply(bookTop('okx', PERP, 99, 1, 101, 1));
    expect(book.referencePx('okx', PERP)).toBe(100);
    book.apply(markPrice('okx', PERP, 100.5));
    expect(book.referencePx('okx', PERP)).toBe(100.5);
    clock.advance(600);
    book.apply(bookTop('okx', PERP, 98, 1, 100, 1));
    clock.advance(600); // mark is 1 200 ms old, top 600 ms
    expect(book.referencePx('okx', PERP)).toBe(99);
    expect(book.lastMarkPx('okx', PERP)).toBe(100.5);
  });

  it('keeps the latest funding message', () => {
    const { book } = setup();
    book.apply(fundingRate('bybit', PERP, 0.0001, 4, 1_000, false));
    expect(book.funding('bybit', PERP)).toMatchObject({ rate: 0.0001, intervalHours: 4, nextFundingTimeMs: 1_000, settled: false });
    expect(book.funding('okx', PERP)).toBeNull();
  });

  it('copies level arrays, so a reused message cannot corrupt the store', () => {
    const { book } = setup();
    const levels = bookLevels('okx', SYM, [99, 1, 98, 2], [101, 1, 102, 2]);
    book.apply(levels);
    levels.asks[0] = 500;
    expect(book.depth('okx', SYM, 'buy')?.levels).toEqual([101, 1, 102, 2]);
  });
});

describe('depth and slippage', () => {
  it('walks levels by quantity and stops at a limit price', () => {
    expect(walkLevels([100, 1, 101, 2], 'buy', { qty: 2 })).toEqual({ filledQty: 2, costUsd: 201, lastPx: 101, remaining: 0 });
    expect(walkLevels([100, 1, 101, 2], 'buy', { qty: 5, limitPx: 100 })).toEqual({ filledQty: 1, costUsd: 100, lastPx: 100, remaining: 4 });
    expect(walkLevels([100, 1, 99, 2], 'sell', { qty: 5, limitPx: 99 })).toEqual({ filledQty: 3, costUsd: 298, lastPx: 99, remaining: 2 });
  });

  it('walks levels by notional', () => {
    const walk = walkLevels([100, 1, 200, 1], 'buy', { notional: 200 });
    expect(walk.filledQty).toBeCloseTo(1.5, 12); // 1 at 100, then 100 USD buys 0.5 at 200
    expect(walk.remaining).toBe(0);
  });

  it('estimates slippage beyond the touch from the levels', () => {
    const { book } = setup();
    book.apply(bookLevels('binance', SYM, [99, 1, 98, 1], [100, 1, 102, 1]));
    const est = book.estimateSlippage('binance', SYM, 'buy', 151)!;
    // 100 USD at 100 (1.0) + 51 USD at 102 (0.5): qty 1.5, avg 151 / 1.5 = 100.666…, vs touch 100.
    expect(est.depthSource).toBe('levels');
    expect(est.complete).toBe(true);
    expect(est.qty).toBeCloseTo(1.5, 12);
    expect(est.avgPx).toBeCloseTo(151 / 1.5, 9);
    expect(est.slippageBps).toBeCloseTo((151 / 1.5 / 100 - 1) * 1e4, 6);
    const sell = book.estimateSlippage('binance', SYM, 'sell', 99)!;
    expect(sell.slippageBps).toBe(0); // fits in the best bid
  });

  it('prices liquidity beyond the known depth with the penalty', () => {
    // Only the top: 1 @ 100. Buying 300 USD: 100 at 100, the other 200 at 100 × 1.005 = 100.5.
    const { book } = setup();
    book.apply(bookTop('okx', SYM, 99, 1, 100, 1));
    const est = book.estimateSlippage('okx', SYM, 'buy', 300)!;
    expect(est.depthSource).toBe('top');
    expect(est.complete).toBe(false);
    const qty = 1 + 200 / 100.5;
    expect(est.qty).toBeCloseTo(qty, 12);
    expect(est.avgPx).toBeCloseTo(300 / qty, 9);
    // A sell beyond the bid is penalized downwards: 2 × 99 USD, the second half at 99 × 0.995.
    const sell = slippageFromLevels([99, 1], 'sell', 198, 50, 'top')!;
    expect(sell.avgPx).toBeCloseTo(198 / (1 + 99 / (99 * 0.995)), 9);
  });

  it('drops levels that a newer top contradicts', () => {
    const { book } = setup();
    book.apply(bookLevels('okx', SYM, [99, 5, 98, 5], [100, 5, 101, 5]));
    book.apply(bookTop('okx', SYM, 99, 3, 100, 4)); // same prices: levels stay
    expect(book.depth('okx', SYM, 'buy')?.source).toBe('levels');
    book.apply(bookTop('okx', SYM, 99.5, 1, 100.5, 1)); // moved: the stored depth is gone
    expect(book.depth('okx', SYM, 'buy')).toEqual({ levels: [100.5, 1], source: 'top' });
  });

  it('returns null for absent markets', () => {
    const { book } = setup();
    expect(book.estimateSlippage('okx', SYM, 'buy', 100)).toBeNull();
    expect(book.depth('okx', SYM, 'buy')).toBeNull();
    expect(book.lastMarkPx('okx', SYM)).toBeNull();
  });
});
