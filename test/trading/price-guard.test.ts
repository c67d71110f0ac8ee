import { describe, expect, it } from 'vitest';
import { message } from '../../src/protocol/index.js';
import { QuoteBook } from '../../src/trading/market/book.js';
import { PriceBand } from '../../src/trading/market/price-band.js';
import { PriceGuard } from '../../src/trading/market/price-guard.js';

const OPTIONS = { bandPct: 5, widenPctPerSec: 1, maxPct: 50 };
const PERP = 'BTC/USDT:USDT';

describe('price band', () => {
  it('anchors on the first price, widens with time since the last accepted one, never beyond maxPct', () => {
    const band = new PriceBand(OPTIONS);
    expect(band.admit(50_000, 0)).toBe(true);
    expect(band.admit(1e308, 1)).toBe(false);
    expect(band.admit(0.0001, 1)).toBe(false);
    expect(band.admit(Number.NaN, 1)).toBe(false);
    expect(band.admit(54_000, 1_000)).toBe(false); // 8 % after 1 s: beyond 5 % + 1 %
    expect(band.admit(54_000, 3_000)).toBe(true); // 8 % after 3 s: within 5 % + 3 × 1 %
    expect(band.reference).toBe(54_000);
    // A quiet day widens the band to its cap, not to anything.
    expect(band.admit(54_000 * 1.6, 86_400_000)).toBe(false);
    expect(band.admit(54_000 * 1.4, 86_400_000)).toBe(true);
  });
});

describe('price guard', () => {
  it('takes a move beyond the own band when the other venues agree, and rejects one they do not', () => {
    const rejected: string[] = [];
    const guard = new PriceGuard(OPTIONS, 5_000, (venue, symbol, kind, px) => rejected.push(`${venue} ${kind} ${px}`));
    for (const venue of ['binanceusdm', 'bybit', 'okx']) expect(guard.admit(venue, PERP, 'mark', 50_000, 0)).toBe(true);
    // bybit's mark falls 10 % within 100 ms: its own band refuses, and the other venues do not agree.
    expect(guard.admit('bybit', PERP, 'mark', 45_000, 100)).toBe(false);
    // binanceusdm's moves as far 6 s later: within its own widened band.
    expect(guard.admit('binanceusdm', PERP, 'mark', 45_000, 6_000)).toBe(true);
    // bybit, whose last accepted mark is recent (so its own band is narrow), now agrees with the
    // only fresh peer (okx's 50,000 is 6 s old): taken, and it re-anchors bybit's band.
    expect(guard.admit('bybit', PERP, 'mark', 50_000, 5_900)).toBe(true);
    expect(guard.admit('bybit', PERP, 'mark', 45_050, 6_100)).toBe(true);
    expect(guard.admit('bybit', PERP, 'mark', 45_100, 6_150)).toBe(true);
    // An absurd print agrees with nobody.
    expect(guard.admit('bybit', PERP, 'mark', 1e308, 6_200)).toBe(false);
    expect(guard.admit('bybit', PERP, 'mark', 0.0001, 6_200)).toBe(false);
    // Tops and marks are separate markets: the first top anchors.
    expect(guard.admit('bybit', PERP, 'top', 30_000, 6_300)).toBe(true);
    expect(guard.rejected).toBe(3);
    expect(rejected).toEqual(['bybit mark 45000', 'bybit mark 1e+308', 'bybit mark 0.0001']);
  });

  it('a quote book with a guard keeps its last good top and mark when a rejected one arrives', () => {
    let nowMs = 0;
    const book = new QuoteBook({ now: () => nowMs, maxAgeMs: 5_000, guard: new PriceGuard(OPTIONS, 5_000) });
    const top = (bidPx: number, askPx: number) => message('BookTop', { ts: 1, venue: 'bybit', symbol: PERP, bidPx, bidSz: 1, askPx, askSz: 1, venueSeq: 1, exchangeTimeMs: 0 });
    const mark = (markPx: number) => message('MarkPrice', { ts: 1, venue: 'bybit', symbol: PERP, markPx, indexPx: markPx, exchangeTimeMs: 0 });
    book.apply(top(49_999, 50_001));
    book.apply(mark(50_000));
    nowMs = 100;
    book.apply(mark(1e308));
    book.apply(top(0.0001, 0.0002));
    expect(book.referencePx('bybit', PERP)).toBe(50_000);
    expect(book.mid('bybit', PERP)).toBe(50_000);
    expect(book.lastMarkPx('bybit', PERP)).toBe(50_000);
    book.apply(mark(50_500));
    expect(book.referencePx('bybit', PERP)).toBe(50_500);
  });
});
