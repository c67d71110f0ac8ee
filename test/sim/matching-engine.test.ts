import { beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from './manual-clock.js';
import type { OrderRequest } from '../../src/sim/exchange/types.js';
import { VenueExchange, type MatchingRules } from '../../src/sim/exchange/venue-exchange.js';
import { FaultInjector } from '../../src/sim/faults.js';
import type { OrderBookState } from '../../src/sim/market/book.js';
import { MarketModel } from '../../src/sim/market/model.js';
import type { VenueMarket } from '../../src/sim/market/venue-market.js';
import { Truth } from '../../src/sim/truth.js';
import { testVenue } from './helpers.js';

const KEY = 'key-1';
const SPOT = 'BTC/USDT';
const PERP = 'BTC/USDT:USDT';

interface Rig {
  engine: VenueExchange;
  market: VenueMarket;
  truth: Truth;
  faults: FaultInjector;
  clock: ManualClock;
}

function rig(rules: MatchingRules = { fokUnfillable: 'expire' }): Rig {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const venue = testVenue();
  const model = new MarketModel({ seed: 1, venues: [venue], clock });
  const market = model.venue(venue.id) as VenueMarket;
  const truth = new Truth();
  const faults = new FaultInjector(clock, truth);
  return { engine: new VenueExchange(venue, market, clock, truth, faults, rules, 0), market, truth, faults, clock };
}

/** Replaces a book with exact levels: prices in quote units (tick 0.1). */
function setBook(book: OrderBookState, bids: [number, number][], asks: [number, number][]): void {
  for (const [ticks] of [...book.bids]) book.setLevel('bid', ticks, 0);
  for (const [ticks] of [...book.asks]) book.setLevel('ask', ticks, 0);
  for (const [price, quantity] of bids) book.setLevel('bid', Math.round(price * 10), quantity);
  for (const [price, quantity] of asks) book.setLevel('ask', Math.round(price * 10), quantity);
}

const order = (overrides: Partial<OrderRequest>): OrderRequest => ({
  symbol: SPOT,
  side: 'buy',
  type: 'limit',
  timeInForce: 'GTC',
  quantity: 0.01,
  price: 99_000,
  clientOrderId: `c-${Math.random().toString(36).slice(2)}`,
  ...overrides,
});

describe('matching engine: spot', () => {
  let r: Rig;
  let book: OrderBookState;
  beforeEach(() => {
    r = rig();
    book = r.market.get(SPOT)?.book as OrderBookState;
    setBook(book, [[100_000, 0.5], [99_999, 1]], [[100_001, 0.2], [100_002, 1]]);
  });

  it('rests a passive limit order, locks the quote it pays with, and releases it on cancel', () => {
    const result = r.engine.place(KEY, order({ price: 99_000, quantity: 0.1 }));
    expect(result.ok && result.order.status).toBe('new');
    expect(r.engine.account(KEY).balance('USDT')).toEqual({ free: 100_000 - 9_900, locked: 9_900 });
    expect(r.engine.openOrders(KEY, SPOT)).toHaveLength(1);
    const canceled = r.engine.cancel(KEY, SPOT, { clientOrderId: result.ok ? result.order.clientOrderId : '' });
    expect(canceled.ok && canceled.order.status).toBe('canceled');
    expect(r.engine.account(KEY).balance('USDT')).toEqual({ free: 100_000, locked: 0 });
    expect(r.engine.cancel(KEY, SPOT, { orderId: 123 })).toEqual({ ok: false, rejection: { reason: 'unknown_order', detail: expect.any(String) } });
  });

  it('fills a marketable IOC across levels as taker, expires the rest, and charges the fee in the asset received', () => {
    const result = r.engine.place(KEY, order({ timeInForce: 'IOC', price: 100_001, quantity: 0.5 }));
    if (!result.ok) throw new Error(result.rejection.detail);
    expect(result.order.status).toBe('expired');
    expect(result.order.filledQuantity).toBeCloseTo(0.2, 12);
    expect(result.order.fills.map((fill) => [fill.price, fill.quantity, fill.liquidity])).toEqual([[100_001, 0.2, 'taker']]);
    const account = r.engine.account(KEY);
    expect(account.balance('BTC').free).toBeCloseTo(2 + 0.2 - 0.2 * 0.0005, 12);
    expect(account.balance('USDT')).toEqual({ free: expect.closeTo(100_000 - 0.2 * 100_001, 6), locked: 0 });
    // The liquidity is gone from the book (and will be published as a diff).
    expect(book.bestAsk()).toEqual([1_000_020, 1]);
  });

  it('refunds the difference when a limit buy fills below its limit', () => {
    const result = r.engine.place(KEY, order({ price: 100_010, quantity: 0.2 }));
    expect(result.ok && result.order.status).toBe('filled');
    expect(r.engine.account(KEY).balance('USDT')).toEqual({ free: expect.closeTo(100_000 - 0.2 * 100_001, 6), locked: 0 });
  });

  it('fills a resting order as maker at its own price when the book moves through it', () => {
    const placed = r.engine.place(KEY, order({ price: 99_995, quantity: 0.3 }));
    expect(placed.ok && placed.order.status).toBe('new');
    setBook(book, [[99_990, 1]], [[99_994, 0.1], [99_995, 0.1], [99_996, 5]]);
    r.engine.matchResting(SPOT);
    const after = r.engine.find(KEY, SPOT, { orderId: placed.ok ? placed.order.orderId : 0 });
    expect(after?.status).toBe('partially_filled');
    expect(after?.fills.map((f) => [f.price, f.quantity, f.liquidity])).toEqual([
      [99_995, 0.1, 'maker'],
      [99_995, 0.1, 'maker'],
    ]);
    expect(r.engine.account(KEY).balance('USDT').locked).toBeCloseTo(0.1 * 99_995, 6);
    setBook(book, [[99_990, 1]], [[99_993, 1]]);
    r.engine.matchResting(SPOT);
    expect(after?.status).toBe('filled');
    expect(r.engine.account(KEY).balance('USDT').locked).toBeCloseTo(0, 6);
  });

  it('rejects with the venue-neutral reasons: post-only crossing, filters, funds, duplicates', () => {
    const reason = (request: Partial<OrderRequest>): string | undefined => {
      const result = r.engine.place(KEY, order(request));
      return result.ok ? undefined : result.rejection.reason;
    };
    expect(reason({ timeInForce: 'PO', price: 100_001 })).toBe('would_take');
    expect(reason({ price: 99_000.05 })).toBe('price_tick');
    expect(reason({ quantity: 0.0105 })).toBe('quantity_step');
    expect(reason({ quantity: 0.001, price: 1000 })).toBe('min_notional');
    expect(reason({ quantity: 50, price: 99_000 })).toBe('insufficient_balance');
    expect(reason({ side: 'sell', quantity: 3, price: 200_000 })).toBe('insufficient_balance');
    expect(reason({ symbol: 'XRP/USDT' })).toBe('unknown_symbol');
    expect(reason({ clientOrderId: 'dup' })).toBeUndefined();
    expect(reason({ clientOrderId: 'dup' })).toBe('duplicate_client_order_id');
    expect(r.truth.orders.all().filter((o) => o.clientOrderId === 'dup').map((o) => o.outcome)).toEqual(['accepted', 'rejected']);
  });

  it('sizes a market order in quote (binance quoteOrderQty) and refuses a quote-sized sell it cannot cover', () => {
    const buy = r.engine.place(KEY, order({ type: 'market', timeInForce: 'IOC', price: undefined, quantity: undefined, quoteQuantity: 30_000 }));
    if (!buy.ok) throw new Error(buy.rejection.detail);
    // 0.2 at 100 001 then whole steps of 0.001 at 100 002 within the remaining budget.
    expect(buy.order.filledQuantity).toBeCloseTo(0.2 + 0.099, 12);
    expect(buy.order.filledQuote).toBeLessThanOrEqual(30_000);
    const sell = r.engine.place(KEY, order({ side: 'sell', type: 'market', timeInForce: 'IOC', price: undefined, quantity: undefined, quoteQuantity: 400_000 }));
    expect(sell.ok ? undefined : sell.rejection.reason).toBe('insufficient_balance');
  });

  it('expires an unfillable FOK on a venue that expires them, and rejects it on one that rejects them', () => {
    const expired = r.engine.place(KEY, order({ timeInForce: 'FOK', price: 100_001, quantity: 0.5 }));
    expect(expired.ok && expired.order.status).toBe('expired');
    expect(expired.ok && expired.order.filledQuantity).toBe(0);
    const strict = rig({ fokUnfillable: 'reject' });
    setBook(strict.market.get(SPOT)?.book as OrderBookState, [[100_000, 1]], [[100_001, 0.2]]);
    const rejected = strict.engine.place(KEY, order({ timeInForce: 'FOK', price: 100_001, quantity: 0.5 }));
    expect(rejected.ok ? undefined : rejected.rejection.reason).toBe('fok_unfillable');
    const filled = strict.engine.place(KEY, order({ timeInForce: 'FOK', price: 100_001, quantity: 0.2 }));
    expect(filled.ok && filled.order.status).toBe('filled');
  });

  it('honours injected rejections by clientOrderId prefix', () => {
    r.faults.inject({ kind: 'reject-orders', clientOrderIdPrefix: 'bad-' });
    const rejected = r.engine.place(KEY, order({ clientOrderId: 'bad-1' }));
    expect(rejected.ok ? undefined : rejected.rejection.reason).toBe('injected');
    expect(r.engine.place(KEY, order({ clientOrderId: 'good-1' })).ok).toBe(true);
  });
});

describe('matching engine: perps', () => {
  let r: Rig;
  let book: OrderBookState;
  beforeEach(() => {
    r = rig();
    book = r.market.get(PERP)?.book as OrderBookState;
    setBook(book, [[100_000, 5]], [[100_001, 5]]);
  });

  const market = (side: 'buy' | 'sell', quantity: number, extra: Partial<OrderRequest> = {}) =>
    r.engine.place(KEY, order({ symbol: PERP, type: 'market', timeInForce: 'IOC', side, quantity, price: undefined, ...extra }));

  it('opens, averages, reduces with realized PnL, and flips a net position; fees come out of the wallet', () => {
    market('buy', 1);
    setBook(book, [[100_010, 5]], [[100_011, 5]]);
    market('buy', 1);
    const position = r.engine.account(KEY).positions.get(PERP);
    expect(position?.quantity).toBe(2);
    expect(position?.entryPrice).toBeCloseTo((100_001 + 100_011) / 2, 6);
    setBook(book, [[100_100, 5]], [[100_101, 5]]);
    const reduce = market('sell', 3);
    expect(reduce.ok && reduce.order.fills[0]?.realizedPnl).toBeCloseTo((100_100 - 100_006) * 2, 6);
    expect(position?.quantity).toBe(-1);
    expect(position?.entryPrice).toBe(100_100);
    const fees = r.truth.fills.all().reduce((sum, fill) => sum + fill.fee, 0);
    expect(fees).toBeCloseTo((100_001 + 100_011 + 3 * 100_100) * 0.0005, 6);
    expect(r.engine.account(KEY).balance('USDT').free).toBeCloseTo(100_000 + (100_100 - 100_006) * 2 - fees, 6);
  });

  it('refuses orders beyond the margin (leverage 10) and reduce-only orders that would add exposure', () => {
    setBook(book, [[100_000, 50]], [[100_001, 50]]);
    // 10 × 100 001 / 10 = 100 001 of margin (+ fee) exceeds the 100 000 wallet; 9 fits.
    const tooBig = market('buy', 10);
    expect(tooBig.ok ? undefined : tooBig.rejection.reason).toBe('insufficient_margin');
    const reduceOnly = market('buy', 1, { reduceOnly: true });
    expect(reduceOnly.ok ? undefined : reduceOnly.rejection.reason).toBe('reduce_only');
    expect(market('buy', 9).ok).toBe(true);
    // Now a reduce-only sell is fine, and selling more than the position needs margin for the excess only.
    expect(market('sell', 1, { reduceOnly: true }).ok).toBe(true);
    expect(r.engine.account(KEY).positions.get(PERP)?.quantity).toBe(8);
  });

  it('settles funding as −quantity × mark × rate on every open position', () => {
    market('buy', 2);
    const before = r.engine.account(KEY).balance('USDT').free;
    r.engine.settleFunding(PERP, { fundingTimeMs: r.clock.nowMs(), rate: 0.001, markPrice: 100_000 });
    const paid = r.engine.account(KEY).balance('USDT').free - before;
    expect(paid).toBeCloseTo(-2 * 100_000 * 0.001, 9);
    expect(r.truth.funding.all()).toEqual([expect.objectContaining({ symbol: PERP, rate: 0.001, positionQuantity: 2, amount: paid })]);
    market('sell', 4);
    r.engine.settleFunding(PERP, { fundingTimeMs: r.clock.nowMs(), rate: 0.001, markPrice: 100_000 });
    expect(r.truth.funding.all()[1]?.amount).toBeCloseTo(2 * 100_000 * 0.001, 9);
  });
});
