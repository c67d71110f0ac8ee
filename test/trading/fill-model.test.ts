import { describe, expect, it } from 'vitest';
import { FillModel, type FillModelEvent, type PaperOrderRequest } from '../../src/trading/orders/fill-model.js';
import { QuoteBook } from '../../src/trading/market/book.js';
import { DEFAULT_FEE_SCHEDULE, feeRates } from '../../src/trading/market/fees.js';
import type { MarketRules } from '../../src/trading/market/lot-size.js';
import { PositionBook } from '../../src/trading/market/positions.js';
import { bookLevels, bookTop, fundingRate, manualClock, markPrice } from './helpers.js';

const SPOT = 'BTC/USDT'; // okx spot: maker 8 bps, taker 10 bps
const PERP = 'BTC/USDT:USDT'; // okx perp: maker 2, taker 5
const HOUR = 3_600_000;

/** A fine grid with no minimums, unless a test gives the venue's real rules. */
const FINE: MarketRules = { amountStep: 1e-8, priceTick: 1e-8, minQty: 0, minNotional: 0, contractSize: 1 };

function setup(latencyMs = 100, rules: MarketRules = FINE) {
  const clock = manualClock(0);
  const book = new QuoteBook({ now: clock.now, maxAgeMs: 60_000 });
  const model = new FillModel(book, { fees: (symbol) => feeRates(DEFAULT_FEE_SCHEDULE, 'okx', symbol), latencyMs, beyondDepthPenaltyBps: 50, rules: (symbol) => (symbol === 'ETH/USDT' ? null : rules) });
  return { clock, book, model };
}

function order(id: string, side: 'buy' | 'sell', qty: number, extra: Partial<PaperOrderRequest> = {}): PaperOrderRequest {
  return { clientOrderId: id, venue: 'okx', symbol: SPOT, side, orderType: 'market', timeInForce: 'IOC', qty, limitPx: null, reduceOnly: false, ...extra };
}

const limit = (id: string, side: 'buy' | 'sell', qty: number, limitPx: number, timeInForce: 'GTC' | 'IOC' | 'FOK' | 'PO') =>
  order(id, side, qty, { orderType: 'limit', timeInForce, limitPx });

const types = (events: FillModelEvent[]) => events.map((e) => e.type);
const fills = (events: FillModelEvent[]) => events.flatMap((e) => (e.type === 'fill' ? [e] : []));

describe("fill model: the venue's market rules", () => {
  const RULES: MarketRules = { amountStep: 0.01, priceTick: 0.1, minQty: 0.02, minNotional: 5, contractSize: 1 };

  it('rejects on arrival what the venue would: off the lot step, under the minimum quantity or notional, an unlisted symbol', () => {
    const { book, model } = setup(0, RULES);
    book.apply(bookTop('okx', SPOT, 99, 5, 100, 5));
    model.submit(order('step', 'buy', 0.015), 0);
    model.submit(order('qty', 'buy', 0.01), 0);
    model.submit(limit('notional', 'buy', 0.04, 100, 'IOC'), 0);
    model.submit({ ...limit('unlisted', 'buy', 1, 100, 'IOC'), symbol: 'ETH/USDT' }, 0);
    model.submit(limit('fine', 'buy', 0.05, 100, 'IOC'), 0);
    const events = model.advance(0);
    const rejected = Object.fromEntries(events.flatMap((e) => (e.type === 'rejected' ? [[e.clientOrderId, e.code]] : [])));
    expect(rejected).toEqual({ step: 'lot_size', qty: 'min_qty', notional: 'min_notional', unlisted: 'unknown_symbol' });
    expect(fills(events).map((f) => [f.clientOrderId, f.qty])).toEqual([['fine', 0.05]]);
  });

  it('fills whole lot steps: an IOC that meets 0.337 of depth fills 0.33 and cancels the rest', () => {
    const { book, model } = setup(0, RULES);
    book.apply(bookLevels('okx', SPOT, [99, 1], [100, 0.337, 101, 5]));
    model.submit(limit('i1', 'buy', 1, 100, 'IOC'), 0);
    const events = model.advance(0);
    expect(fills(events).map((f) => [f.qty, f.px])).toEqual([[0.33, 100]]);
    expect(fills(events)[0]?.remainingQty).toBeCloseTo(0.67, 12);
    expect(events.at(-1)).toMatchObject({ type: 'canceled', reason: 'ioc_remainder', cumQty: 0.33 });
  });
});

describe('fill model: latency', () => {
  it('reaches the book only after the latency', () => {
    const { book, model } = setup(100);
    book.apply(bookTop('okx', SPOT, 99, 5, 100, 5));
    model.submit(order('m1', 'buy', 1), 0);
    expect(model.advance(99)).toEqual([]);
    const events = model.advance(100);
    expect(types(events)).toEqual(['accepted', 'fill']);
  });

  it('meets the book as it is at arrival, not at submission', () => {
    const { book, model } = setup(100);
    book.apply(bookTop('okx', SPOT, 99, 5, 100, 5));
    model.submit(order('m1', 'buy', 1), 0);
    book.apply(bookTop('okx', SPOT, 104, 5, 105, 5));
    expect(fills(model.advance(100))[0]!.px).toBe(105);
  });
});

describe('fill model: market orders', () => {
  it('walks the levels and pays the taker fee', () => {
    const { book, model } = setup(0);
    book.apply(bookLevels('okx', SPOT, [99, 1], [100, 1, 101, 2]));
    model.submit(order('m1', 'buy', 2), 0);
    const [f] = fills(model.advance(0));
    // 1 @ 100 + 1 @ 101 = 201 → avg 100.5; fee 10 bps of 201 = 0.201.
    expect(f).toMatchObject({ qty: 2, liquidity: 'taker', feeCurrency: 'USDT', cumQty: 2, remainingQty: 0 });
    expect(f!.px).toBeCloseTo(100.5, 12);
    expect(f!.fee).toBeCloseTo(0.201, 12);
  });

  it('fills beyond the known depth at the penalty, so it always completes', () => {
    const { book, model } = setup(0);
    book.apply(bookTop('okx', SPOT, 99, 1, 100, 1));
    model.submit(order('m1', 'sell', 3), 0);
    const [f] = fills(model.advance(0));
    // 1 @ 99, then 2 @ 99 × (1 − 0.005) = 98.505.
    expect(f!.qty).toBe(3);
    expect(f!.px).toBeCloseTo((99 + 2 * 98.505) / 3, 12);
  });

  it('is rejected without a fresh book', () => {
    const { model } = setup(0);
    model.submit(order('m1', 'buy', 1), 0);
    expect(model.advance(0)).toEqual([{ type: 'rejected', clientOrderId: 'm1', code: 'no_book', error: expect.stringContaining('okx') }]);
  });
});

describe('fill model: limit orders', () => {
  it('IOC takes what is at or better than the limit and cancels the rest', () => {
    const { book, model } = setup(0);
    book.apply(bookLevels('okx', SPOT, [99, 1], [100, 1, 101, 1, 102, 5]));
    model.submit(limit('i1', 'buy', 5, 101, 'IOC'), 0);
    const events = model.advance(0);
    expect(types(events)).toEqual(['accepted', 'fill', 'canceled']);
    expect(fills(events)[0]).toMatchObject({ qty: 2, px: 100.5, remainingQty: 3 });
    expect(events[2]).toEqual({ type: 'canceled', clientOrderId: 'i1', reason: 'ioc_remainder', cumQty: 2 });
  });

  it('FOK fills completely or not at all', () => {
    const { book, model } = setup(0);
    book.apply(bookLevels('okx', SPOT, [99, 1], [100, 1, 101, 1]));
    model.submit(limit('f1', 'buy', 3, 101, 'FOK'), 0);
    expect(model.advance(0)).toEqual([
      { type: 'accepted', clientOrderId: 'f1', venueOrderId: expect.any(String) },
      { type: 'canceled', clientOrderId: 'f1', reason: 'fok_not_filled', cumQty: 0 },
    ]);
    model.submit(limit('f2', 'buy', 2, 101, 'FOK'), 0);
    expect(fills(model.advance(0))).toMatchObject([{ clientOrderId: 'f2', qty: 2, px: 100.5 }]);
  });

  it('post-only is rejected if it would take, and rests otherwise', () => {
    const { book, model } = setup(0);
    book.apply(bookTop('okx', SPOT, 99, 1, 100, 1));
    model.submit(limit('p1', 'buy', 1, 100, 'PO'), 0);
    expect(model.advance(0)).toMatchObject([{ type: 'rejected', clientOrderId: 'p1', code: 'post_only_would_take' }]);
    model.submit(limit('p2', 'buy', 1, 99.5, 'PO'), 0);
    expect(types(model.advance(0))).toEqual(['accepted']);
    expect(model.openOrders().map((o) => [o.clientOrderId, o.status])).toEqual([['p2', 'resting']]);
  });

  it('GTC takes what crosses, rests the rest, and fills as maker when a new quote crosses it', () => {
    const { book, model } = setup(0);
    book.apply(bookLevels('okx', PERP, [99, 1], [100, 1, 102, 1]));
    model.submit({ ...limit('g1', 'buy', 3, 101, 'GTC'), symbol: PERP }, 0);
    const first = model.advance(0);
    expect(fills(first)).toMatchObject([{ qty: 1, px: 100, liquidity: 'taker' }]);
    expect(model.advance(10)).toEqual([]); // same quote: no new liquidity
    book.apply(bookTop('okx', PERP, 99, 1, 100.5, 0.5));
    const second = fills(model.advance(20));
    // Maker fill at its own limit 101, for the 0.5 shown at or below it; maker fee 2 bps.
    expect(second).toMatchObject([{ qty: 0.5, px: 101, liquidity: 'maker', cumQty: 1.5, remainingQty: 1.5 }]);
    expect(second[0]!.fee).toBeCloseTo(0.5 * 101 * 0.0002, 12);
    book.apply(bookTop('okx', PERP, 98, 1, 101.5, 9)); // does not reach 101
    expect(model.advance(30)).toEqual([]);
    book.apply(bookTop('okx', PERP, 98, 1, 100, 9));
    const last = model.advance(40);
    expect(types(last)).toEqual(['fill']);
    expect(fills(last)[0]).toMatchObject({ qty: 1.5, cumQty: 3, remainingQty: 0 });
    expect(model.openOrders()).toEqual([]);
  });

  it('rests a GTC order while the book is stale and fills it once a crossing quote arrives', () => {
    const { book, model } = setup(0);
    model.submit(limit('g1', 'sell', 1, 100, 'GTC'), 0);
    expect(types(model.advance(0))).toEqual(['accepted']);
    book.apply(bookTop('okx', SPOT, 100.2, 2, 100.4, 2));
    expect(fills(model.advance(1))).toMatchObject([{ qty: 1, px: 100, liquidity: 'maker' }]);
  });

  it('cancels a resting order after the cancel latency', () => {
    const { book, model } = setup(50);
    book.apply(bookTop('okx', SPOT, 99, 1, 100, 1));
    model.submit(limit('g1', 'buy', 1, 98, 'GTC'), 0);
    model.advance(50);
    expect(model.cancel('g1', 60)).toBe(true);
    expect(model.advance(109)).toEqual([]);
    expect(model.advance(110)).toEqual([{ type: 'canceled', clientOrderId: 'g1', reason: 'canceled', cumQty: 0 }]);
    expect(model.cancel('g1', 200)).toBe(false);
    expect(model.cancel('nope', 200)).toBe(false);
  });
});

describe('fill model: funding', () => {
  it('settles a predicted rate at its funding time, at the venue mark, once', () => {
    const { book, model } = setup(0);
    book.apply(markPrice('okx', PERP, 50_000));
    expect(model.onFundingRate(fundingRate('okx', PERP, 0.0001, 8, 8 * HOUR, false))).toEqual([]);
    expect(model.advance(8 * HOUR - 1)).toEqual([]);
    expect(model.advance(8 * HOUR)).toEqual([{ type: 'funding', venue: 'okx', symbol: PERP, rate: 0.0001, markPx: 50_000, settlementMs: 8 * HOUR }]);
    // The venue's own settled message for the same boundary (a little late) does not double-count.
    expect(model.onFundingRate(fundingRate('okx', PERP, 0.0001, 8, 16 * HOUR, true, 8 * HOUR + 1_500))).toEqual([]);
    expect(model.advance(9 * HOUR)).toEqual([]);
  });

  it('settles a settled message at once, and waits for a mark when there is none', () => {
    const { book, model } = setup(0);
    expect(model.onFundingRate(fundingRate('bybit', PERP, -0.0002, 4, 8 * HOUR, true, 4 * HOUR - 200))).toEqual([]);
    book.apply(markPrice('bybit', PERP, 60_000));
    expect(model.advance(4 * HOUR)).toEqual([{ type: 'funding', venue: 'bybit', symbol: PERP, rate: -0.0002, markPx: 60_000, settlementMs: 4 * HOUR }]);
  });

  it('pays funding into positions so perps can be paper-traded', () => {
    const { book, model } = setup(0);
    const positions = new PositionBook();
    book.apply(bookTop('okx', PERP, 49_990, 10, 50_010, 10));
    book.apply(markPrice('okx', PERP, 50_000));
    model.submit(order('s1', 'sell', 2, { symbol: PERP }), 0);
    for (const e of model.advance(0)) if (e.type === 'fill') positions.applyFill('carry', e.venue, e.symbol, { side: e.side, qty: e.qty, px: e.px, fee: e.fee });
    model.onFundingRate(fundingRate('okx', PERP, 0.0003, 1, HOUR, false));
    const settled = model.advance(HOUR).flatMap((e) => (e.type === 'funding' ? positions.settleFunding(e.venue, e.symbol, e.rate, e.markPx) : []));
    // Short 2 at mark 50 000 receives 2 × 50 000 × 0.0003 = 30.
    expect(settled).toEqual([{ strategyId: 'carry', venue: 'okx', symbol: PERP, rate: 0.0003, positionQty: -2, markPx: 50_000, amount: expect.closeTo(30, 9) }]);
    const p = positions.get('carry', 'okx', PERP);
    expect(p.fees).toBeCloseTo(2 * 49_990 * 0.0005, 9); // taker 5 bps
    expect(p.fundingPnl).toBeCloseTo(30, 9);
  });
});

describe('fill model: determinism', () => {
  it('produces identical events for identical inputs', () => {
    const run = () => {
      const { book, model } = setup(25);
      const out: FillModelEvent[] = [];
      book.apply(bookLevels('okx', SPOT, [99, 2, 98, 2], [100, 2, 101, 2]));
      model.submit(order('a', 'buy', 3), 0);
      model.submit(limit('b', 'sell', 1, 100.5, 'GTC'), 5);
      out.push(...model.advance(30));
      book.apply(bookTop('okx', SPOT, 100.6, 3, 100.8, 1));
      out.push(...model.advance(40));
      return out;
    };
    const first = run();
    expect(first.length).toBeGreaterThan(3);
    expect(run()).toEqual(first);
  });
});
