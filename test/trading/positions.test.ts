import { describe, expect, it } from 'vitest';
import { FLAT, PositionBook, applyFill, applyFunding, netPnl, unrealizedPnl, type Position } from '../../src/trading/market/positions.js';
import { message } from '../../src/protocol/index.js';
import { seededRandom } from './helpers.js';

const fill = (side: 'buy' | 'sell', qty: number, px: number, fee = 0) => ({ side, qty, px, fee });

describe('position accounting', () => {
  it('averages the entry price while a position grows', () => {
    let p = applyFill(FLAT, fill('buy', 1, 100, 0.1));
    p = applyFill(p, fill('buy', 3, 104, 0.3));
    expect(p.qty).toBe(4);
    expect(p.avgEntryPx).toBeCloseTo((100 + 3 * 104) / 4, 12); // 103
    expect(p.realizedPnl).toBe(0);
    expect(p.fees).toBeCloseTo(0.4, 12);
  });

  it('realizes PnL on a reduce and keeps the entry price of the rest', () => {
    let p = applyFill(FLAT, fill('buy', 4, 100));
    p = applyFill(p, fill('sell', 1, 110));
    expect(p.qty).toBe(3);
    expect(p.avgEntryPx).toBe(100);
    expect(p.realizedPnl).toBeCloseTo(10, 12);
  });

  it('realizes PnL for shorts in the other direction', () => {
    let p = applyFill(FLAT, fill('sell', 2, 100));
    p = applyFill(p, fill('buy', 2, 90));
    expect(p).toEqual({ qty: 0, avgEntryPx: 0, realizedPnl: 20, fees: 0, fundingPnl: 0 });
  });

  it('closes and reopens on a flip at the fill price', () => {
    let p = applyFill(FLAT, fill('buy', 1, 100));
    p = applyFill(p, fill('sell', 3, 120));
    // Close 1 long at +20, open 2 short at 120.
    expect(p.qty).toBe(-2);
    expect(p.avgEntryPx).toBe(120);
    expect(p.realizedPnl).toBeCloseTo(20, 12);
    expect(unrealizedPnl(p, 110)).toBeCloseTo(20, 12); // short 2 from 120 to 110
  });

  it('books the fee of a zero-quantity fill without touching the position', () => {
    const p = applyFill(FLAT, fill('buy', 0, 100, 0.5));
    expect(p).toEqual({ ...FLAT, fees: 0.5 });
  });

  it('snaps float residue to flat', () => {
    let p = applyFill(FLAT, fill('buy', 0.1, 100));
    p = applyFill(p, fill('buy', 0.2, 100));
    p = applyFill(p, fill('sell', 0.3, 100));
    expect(p.qty).toBe(0);
    expect(p.avgEntryPx).toBe(0);
  });

  it('keeps funding apart and adds it into net PnL', () => {
    let p: Position = applyFill(FLAT, fill('sell', 1, 100, 0.05));
    p = applyFunding(p, 0.01);
    p = applyFunding(p, -0.002);
    expect(p.fundingPnl).toBeCloseTo(0.008, 12);
    // Short from 100, mark 95: +5 unrealized, −0.05 fee, +0.008 funding.
    expect(netPnl(p, 95)).toBeCloseTo(5 - 0.05 + 0.008, 12);
  });

  it('holds the accounting invariant under seeded random fills and funding', () => {
    for (let seed = 1; seed <= 50; seed++) {
      const random = seededRandom(seed);
      let p = FLAT;
      let px = 100;
      let cash = 0; // −Σ signed qty × px
      let netQty = 0;
      let fees = 0;
      let funding = 0;
      for (let step = 0; step < 200; step++) {
        px = Math.max(1, px * (1 + (random() - 0.5) * 0.02));
        if (random() < 0.15) {
          const amount = (random() - 0.5) * 2;
          funding += amount;
          p = applyFunding(p, amount);
          continue;
        }
        const side = random() < 0.5 ? 'buy' : 'sell';
        const qty = Math.round(random() * 500) / 100 + 0.01;
        const fee = qty * px * 0.0005;
        cash -= (side === 'buy' ? qty : -qty) * px;
        netQty += side === 'buy' ? qty : -qty;
        fees += fee;
        p = applyFill(p, fill(side, qty, px, fee));
      }
      const mark = px * 1.01;
      expect(p.qty, `seed ${seed}`).toBeCloseTo(netQty, 9);
      expect(p.realizedPnl + unrealizedPnl(p, mark), `seed ${seed}`).toBeCloseTo(cash + netQty * mark, 6);
      expect(p.fees).toBeCloseTo(fees, 9);
      expect(p.fundingPnl).toBeCloseTo(funding, 9);
      expect(netPnl(p, mark)).toBeCloseTo(cash + netQty * mark - fees + funding, 6);
    }
  });
});

describe('PositionBook', () => {
  it('keeps positions apart per strategy, venue and symbol', () => {
    const book = new PositionBook();
    book.applyFill('carry', 'bybit', 'BTC/USDT:USDT', fill('sell', 1, 100));
    book.applyFill('carry', 'okx', 'BTC/USDT:USDT', fill('buy', 1, 99));
    book.applyFill('spread', 'bybit', 'BTC/USDT:USDT', fill('buy', 2, 100));
    expect(book.get('carry', 'bybit', 'BTC/USDT:USDT').qty).toBe(-1);
    expect(book.get('carry', 'okx', 'BTC/USDT:USDT').qty).toBe(1);
    expect(book.get('spread', 'bybit', 'BTC/USDT:USDT').qty).toBe(2);
    expect(book.get('spread', 'okx', 'BTC/USDT:USDT')).toEqual(FLAT);
  });

  it('applies Filled messages, with a converted fee when the venue charged another asset', () => {
    const book = new PositionBook();
    const filled = message('Filled', {
      ts: 0, strategyId: 's', clientOrderId: 'c', intentSeq: 1, leg: 0, venue: 'binance', symbol: 'ETH/USDT', side: 'buy',
      fillQty: 2, fillPx: 3_000, cumQty: 2, remainingQty: 0, fee: 0.001, feeCurrency: 'BNB', tradeId: 't1',
    });
    book.applyFillMessage(filled, 4.5);
    expect(book.get('s', 'binance', 'ETH/USDT')).toMatchObject({ qty: 2, avgEntryPx: 3_000, fees: 4.5 });
  });

  it('settles funding on every strategy holding the market', () => {
    const book = new PositionBook();
    book.applyFill('a', 'okx', 'ETH/USDT:USDT', fill('sell', 2, 3_000));
    book.applyFill('b', 'okx', 'ETH/USDT:USDT', fill('buy', 1, 3_000));
    book.applyFill('c', 'bybit', 'ETH/USDT:USDT', fill('buy', 1, 3_000));
    const settled = book.settleFunding('okx', 'ETH/USDT:USDT', 0.0001, 3_100);
    // Short 2 receives 2 × 3 100 × 0.0001 = 0.62; long 1 pays 0.31; bybit untouched.
    expect(settled.map((s) => [s.strategyId, s.positionQty, s.amount])).toEqual([
      ['a', -2, expect.closeTo(0.62, 12)],
      ['b', 1, expect.closeTo(-0.31, 12)],
    ]);
    expect(book.get('a', 'okx', 'ETH/USDT:USDT').fundingPnl).toBeCloseTo(0.62, 12);
    expect(book.get('c', 'bybit', 'ETH/USDT:USDT').fundingPnl).toBe(0);
  });

  it('builds PositionChanged fields and survives a snapshot round trip', () => {
    const book = new PositionBook();
    book.applyFill('s', 'okx', 'BTC/USDT:USDT', fill('sell', 0.5, 60_000, 15));
    const update = book.update('s', 'okx', 'BTC/USDT:USDT', 59_000);
    expect(update).toEqual({
      strategyId: 's', venue: 'okx', symbol: 'BTC/USDT:USDT', qty: -0.5, avgEntryPx: 60_000, markPx: 59_000,
      realizedPnl: 0, unrealizedPnl: 500, fees: 15, fundingPnl: 0,
    });
    expect(book.update('s', 'okx', 'BTC/USDT:USDT', null).unrealizedPnl).toBe(0);
    const restored = PositionBook.restore(JSON.parse(JSON.stringify(book.snapshot())));
    expect(restored.get('s', 'okx', 'BTC/USDT:USDT')).toEqual(book.get('s', 'okx', 'BTC/USDT:USDT'));
  });
});
