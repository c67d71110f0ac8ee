import { describe, expect, it } from 'vitest';
import { ManualClock } from './manual-clock.js';
import type { DepthUpdate, OrderBookState } from '../../src/sim/market/book.js';
import { MarketModel } from '../../src/sim/market/model.js';
import { Prng } from '../../src/sim/prng.js';
import type { Level } from '../../src/sim/types.js';
import { testVenue } from './helpers.js';

const START = Date.UTC(2026, 0, 1, 0, 0, 0);

function run(seed: number, steps: number): MarketModel {
  const model = new MarketModel({ seed, venues: [testVenue()], clock: new ManualClock(START) });
  for (let i = 0; i < steps; i++) model.step(100);
  return model;
}

function bookOf(model: MarketModel, symbol: string): { bids: Level[]; asks: Level[]; id: number } {
  const book = model.venue('testvenue')?.get(symbol)?.book as OrderBookState;
  return { bids: book.snapshot().bids as Level[], asks: book.snapshot().asks as Level[], id: book.updateId };
}

/** Applies diff events to a snapshot the way a client does. */
function apply(levels: Map<number, number>, changes: readonly Level[]): void {
  for (const [ticks, quantity] of changes) {
    if (quantity === 0) levels.delete(ticks);
    else levels.set(ticks, quantity);
  }
}

describe('PRNG', () => {
  it('is deterministic per seed and label, and independent across labels', () => {
    const a = Prng.derive(42, 'x');
    const b = Prng.derive(42, 'x');
    const other = Prng.derive(42, 'y');
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => other.next())).not.toEqual(seqA);
    const normals = Array.from({ length: 20_000 }, () => a.normal());
    const mean = normals.reduce((s, x) => s + x, 0) / normals.length;
    const variance = normals.reduce((s, x) => s + (x - mean) ** 2, 0) / normals.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(variance).toBeGreaterThan(0.95);
    expect(variance).toBeLessThan(1.05);
  });
});

describe('market model', () => {
  it('is deterministic under a seed and differs across seeds', () => {
    const first = run(7, 300);
    const again = run(7, 300);
    const other = run(8, 300);
    expect(bookOf(again, 'BTC/USDT')).toEqual(bookOf(first, 'BTC/USDT'));
    expect(bookOf(again, 'BTC/USDT:USDT')).toEqual(bookOf(first, 'BTC/USDT:USDT'));
    expect(again.venue('testvenue')?.get('BTC/USDT:USDT')?.funding?.rate).toBe(first.venue('testvenue')?.get('BTC/USDT:USDT')?.funding?.rate);
    expect(bookOf(other, 'BTC/USDT')).not.toEqual(bookOf(first, 'BTC/USDT'));
  });

  it('moves prices, keeps every book uncrossed and sorted, and quotes near the fair price', () => {
    const model = new MarketModel({ seed: 3, venues: [testVenue()], clock: new ManualClock(START) });
    const startMid = model.venue('testvenue')?.markPrice('BTC/USDT') as number;
    const problems: string[] = [];
    for (let i = 0; i < 2000; i++) {
      model.step(100);
      for (const symbol of ['BTC/USDT', 'BTC/USDT:USDT']) {
        const { bids, asks } = bookOf(model, symbol);
        if (bids.length === 0 || asks.length === 0) problems.push(`${i} ${symbol}: empty side`);
        else if ((bids[0] as Level)[0] >= (asks[0] as Level)[0]) problems.push(`${i} ${symbol}: crossed`);
        if (bids.some((level, k) => k > 0 && level[0] >= (bids[k - 1] as Level)[0])) problems.push(`${i} ${symbol}: bids unsorted`);
        if (asks.some((level, k) => k > 0 && level[0] <= (asks[k - 1] as Level)[0])) problems.push(`${i} ${symbol}: asks unsorted`);
      }
    }
    expect(problems).toEqual([]);
    const venue = model.venue('testvenue');
    const mid = venue?.markPrice('BTC/USDT') as number;
    expect(mid).not.toBe(startMid);
    expect(Math.abs(mid / (model.fair.pair('BTC', 'USDT') as number) - 1)).toBeLessThan(0.002);
  });

  it('publishes diffs that rebuild the book exactly from a snapshot, with contiguous update ids', () => {
    const model = new MarketModel({ seed: 11, venues: [testVenue()], clock: new ManualClock(START) });
    const book = model.venue('testvenue')?.get('BTC/USDT')?.book as OrderBookState;
    const snapshot = book.snapshot();
    const bids = new Map(snapshot.bids.map(([t, q]) => [t, q]));
    const asks = new Map(snapshot.asks.map(([t, q]) => [t, q]));
    let last = snapshot.lastUpdateId;
    for (let i = 0; i < 500; i++) {
      model.step(100);
      const update = book.flush(START + i) as DepthUpdate;
      if (!update) continue;
      expect(update.firstUpdateId).toBe(last + 1);
      expect(update.previousUpdateId).toBe(last);
      last = update.lastUpdateId;
      apply(bids, update.bids);
      apply(asks, update.asks);
    }
    const truth = book.snapshot();
    expect(last).toBe(truth.lastUpdateId);
    expect([...bids].sort((a, b) => b[0] - a[0])).toEqual(truth.bids);
    expect([...asks].sort((a, b) => a[0] - b[0])).toEqual(truth.asks);
  });

  it('applies scenario price offsets to one venue only', () => {
    const model = new MarketModel({ seed: 5, venues: [testVenue(), testVenue({ id: 'other' })], clock: new ManualClock(START) });
    model.setPriceOffset('testvenue', '*', 100);
    for (let i = 0; i < 20; i++) model.step(100);
    const shifted = model.venue('testvenue')?.markPrice('BTC/USDT') as number;
    const normal = model.venue('other')?.markPrice('BTC/USDT') as number;
    expect(shifted / normal - 1).toBeGreaterThan(0.008);
    expect(shifted / normal - 1).toBeLessThan(0.012);
  });
});

describe('funding', () => {
  it('settles on multiples of the scaled interval and records history', () => {
    // 8 h at time scale 960 is 30 s of real time.
    const clock = new ManualClock(START + 1000, 960);
    const model = new MarketModel({ seed: 2, venues: [testVenue()], clock });
    const funding = model.venue('testvenue')?.get('BTC/USDT:USDT')?.funding;
    expect(funding?.intervalRealMs()).toBe(30_000);
    expect(funding?.nextFundingTimeMs).toBe(START + 30_000);
    const backfilled = funding?.history.length ?? 0;
    expect(backfilled).toBeGreaterThan(0);
    expect(funding?.settleIfDue(START + 29_999, 100)).toBeUndefined();
    const settled = funding?.settleIfDue(START + 30_005, 100);
    expect(settled?.fundingTimeMs).toBe(START + 30_000);
    expect(funding?.nextFundingTimeMs).toBe(START + 60_000);
    expect(funding?.history.length).toBe(backfilled + 1);
    const times = funding?.history.map((entry) => entry.fundingTimeMs) ?? [];
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('uses each instrument’s own interval', () => {
    const venue = testVenue();
    const fourHourly = { ...venue, instruments: venue.instruments.map((i) => (i.kind === 'perp' ? { ...i, fundingIntervalHours: 4 } : i)) };
    const model = new MarketModel({ seed: 2, venues: [fourHourly], clock: new ManualClock(START + 1, 1) });
    const funding = model.venue('testvenue')?.get('BTC/USDT:USDT')?.funding;
    expect(funding?.intervalHours).toBe(4);
    expect(funding?.nextFundingTimeMs).toBe(START + 4 * 3_600_000);
  });
});
