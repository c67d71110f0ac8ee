import { describe, expect, it } from 'vitest';
import { collarOnTick, roundToStep } from '../../src/trading/market/lot-size.js';
import { startMultiLeg } from '../../src/trading/orders/multi-leg.js';
import { newOrder, transition, type OrderEvent, type OrderRecord } from '../../src/trading/orders/order-state.js';
import { lookupEvents, multiLegSyncEvents, restartEvent } from '../../src/trading/orders/reconcile.js';
import { eventsFromView, feeInQuote, type FeeConverter, type VenueOrderView } from '../../src/trading/orders/venue-view.js';

const convert: FeeConverter = (fee, currency, symbol, px) => feeInQuote(fee, currency, symbol, px, () => null);

function apply(record: OrderRecord, ...events: OrderEvent[]): OrderRecord {
  for (const event of events) {
    const result = transition(record, event);
    if ('error' in result) throw new Error(result.error.message);
    record = result.order;
  }
  return record;
}

const order = (): OrderRecord => newOrder({ clientOrderId: 'c1', venue: 'binance', symbol: 'BTC/USDT', side: 'buy', qty: 1 });
const view = (fields: Partial<VenueOrderView>): VenueOrderView => ({ venueOrderId: 'v1', state: 'open', filledQty: 0, trades: [], tradesComplete: true, reason: null, ...fields });
const trade = (tradeId: string, qty: number) => ({ tradeId, qty, px: 100, fee: 0.001, feeCurrency: 'BTC', timestampMs: 1 });

describe('venue views → order events', () => {
  it('accepts once, books each trade once with the fee in quote, and ends canceled only when the trades cover the fills', () => {
    const sent = apply(order(), { type: 'sent' });
    const partial = view({ state: 'canceled', filledQty: 0.6, trades: [trade('t1', 0.4)], tradesComplete: false, reason: 'expired' });
    const first = eventsFromView(sent, partial, convert);
    expect(first).toEqual([{ type: 'accepted', venueOrderId: 'v1' }, { type: 'fill', tradeId: 't1', qty: 0.4, px: 100, fee: 0.1 }]);
    const after = apply(sent, ...first);
    const complete = view({ state: 'canceled', filledQty: 0.6, trades: [trade('t1', 0.4), trade('t2', 0.2)], reason: 'expired' });
    const second = eventsFromView(after, complete, convert);
    expect(second.map((e) => e.type)).toEqual(['fill', 'canceled']);
    const done = apply(after, ...second);
    expect(done).toMatchObject({ status: 'canceled', cumQty: 0.6000000000000001, reason: 'expired' });
    expect(eventsFromView(done, complete, convert)).toEqual([]);
  });

  it('turns a rejection into rejected and a pending paper order into nothing', () => {
    const sent = apply(order(), { type: 'sent' });
    expect(eventsFromView(sent, view({ state: 'rejected', reason: 'no_book' }), convert)).toEqual([{ type: 'rejected', reason: 'no_book' }]);
    expect(eventsFromView(sent, view({ state: 'pending' }), convert)).toEqual([]);
  });

  it('prices fees in quote: quote and settle as is, base at the fill price, others unknown', () => {
    expect(feeInQuote(2, 'USDT', 'BTC/USDT:USDT', 50_000, () => null)).toBe(2);
    expect(feeInQuote(0.001, 'BTC', 'BTC/USDT', 50_000, () => null)).toBe(50);
    expect(feeInQuote(0.1, 'BNB', 'BTC/USDT', 50_000, (pair) => (pair === 'BNB/USDT' ? 600 : null))).toBe(60);
    expect(feeInQuote(0.1, 'BNB', 'BTC/USDT', 50_000, () => null)).toBeNull();
  });
});

describe('lot size', () => {
  it('rounds to whole steps without float residue, and collars toward the passive side', () => {
    expect(roundToStep(0.12345, 0.001, 'down')).toBe(0.123);
    expect(roundToStep(0.3, 0.1, 'down')).toBe(0.3);
    expect(roundToStep(0.1235, 0.001, 'nearest')).toBe(0.124);
    expect(collarOnTick('buy', 100.567, 0.01)).toBe(100.56);
    expect(collarOnTick('sell', 100.561, 0.01)).toBe(100.57);
  });
});

describe('reconciliation decisions', () => {
  it('cancels what was never sent and puts everything that may be live in unknown', () => {
    expect(restartEvent(order())).toEqual({ type: 'canceled', reason: 'not sent before restart' });
    expect(restartEvent(apply(order(), { type: 'sent' }))).toEqual({ type: 'lost' });
    expect(restartEvent(apply(order(), { type: 'sent' }, { type: 'accepted', venueOrderId: 'v' }))).toEqual({ type: 'lost' });
    expect(restartEvent(apply(order(), { type: 'sent' }, { type: 'rejected', reason: 'x' }))).toBeNull();
  });

  it('resolves "not found" only after the grace period', () => {
    const unknown = apply(order(), { type: 'sent' }, { type: 'lost' });
    expect(lookupEvents(unknown, null, 500, 1_000, convert)).toEqual([]);
    expect(lookupEvents(unknown, null, 1_000, 1_000, convert)).toEqual([{ type: 'not_found' }]);
    expect(apply(unknown, { type: 'not_found' }).status).toBe('rejected');
  });

  it('brings a multi-leg coordinator up to date from the journaled orders', () => {
    const legs = [
      { venue: 'a', symbol: 'BTC/USDT:USDT', side: 'buy' as const, orderType: 'market' as const, timeInForce: 'IOC' as const, qty: 1, limitPx: null, reduceOnly: false },
      { venue: 'b', symbol: 'BTC/USDT:USDT', side: 'sell' as const, orderType: 'market' as const, timeInForce: 'IOC' as const, qty: 1, limitPx: null, reduceOnly: false },
    ];
    const { state } = startMultiLeg({ strategyId: 's', intentSeq: 1, legs, onLegFailure: 'unwind', toleranceUsd: 10, timeoutMs: 1_000 }, { nowMs: 0, referencePx: () => 100 });
    const [a, b] = state.orders.map((o) => o.clientOrderId) as [string, string];
    const records = new Map<string, OrderRecord>([
      [a, { ...newOrder({ clientOrderId: a, venue: 'a', symbol: 'BTC/USDT:USDT', side: 'buy', qty: 1 }), status: 'filled', cumQty: 1, avgFillPx: 101 }],
      [b, { ...newOrder({ clientOrderId: b, venue: 'b', symbol: 'BTC/USDT:USDT', side: 'sell', qty: 1 }), status: 'rejected', reason: 'injected' }],
    ]);
    expect(multiLegSyncEvents(state, (id) => records.get(id))).toEqual([
      { type: 'fill', clientOrderId: a, qty: 1, px: 101 },
      { type: 'rejected', clientOrderId: b, reason: 'injected' },
    ]);
  });
});
