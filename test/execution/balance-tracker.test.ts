/**
 * The balance tracker's scheduling, driven by hand: one fetch in flight per venue, one more after
 * a fill that arrived meanwhile (whose stale answer goes to risk but not to the strategies), the
 * periodic refresh, and a failure that keeps the last snapshot. The venue is a hand-resolved
 * `balances()`; everything else is the real tracker and the real BalanceBook.
 */
import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/protocol/index.js';
import { rootLogger } from '../../src/base/log.js';
import { BalanceTracker } from '../../src/execution/balances.js';
import type { LiveOrder } from '../../src/execution/order-store.js';
import type { TradeVenue } from '../../src/execution/venue-port.js';
import { newOrder, type OrderRecord } from '../../src/trading/orders/order-state.js';
import { BalanceBook, reservationKey, type AssetAmounts } from '../../src/trading/risk/balance-book.js';

type Pending = { resolve: (assets: Map<string, AssetAmounts>) => void; reject: (error: Error) => void };

function harness() {
  const pending: Pending[] = [];
  const venue = { id: 'okx', balances: () => new Promise<Map<string, AssetAmounts>>((resolve, reject) => pending.push({ resolve, reject })) } as unknown as TradeVenue;
  const sent: Message[] = [];
  const counted: string[] = [];
  const work: Promise<unknown>[] = [];
  let nowMs = 1_000;
  const book = new BalanceBook({ assumedLeverage: 5 });
  const tracker = new BalanceTracker({
    venues: new Map([['okx', venue]]),
    book,
    sink: { toStrategy: () => undefined, broadcast: () => undefined, toVenue: (_venue, message) => sent.push(message) },
    nowMs: () => nowMs,
    track: (promise) => work.push(promise),
    counters: { count: (name) => counted.push(name), reportError: () => undefined },
    log: rootLogger().child({ test: 'balance-tracker' }),
    refreshMs: 5_000,
    simulated: false,
    accountOf: () => 'OKX',
  });
  const answer = async (btc: number): Promise<void> => {
    pending.shift()!.resolve(new Map([['BTC', { free: btc, used: 0, total: btc }]]));
    await Promise.all(work.splice(0));
  };
  const fail = async (text: string): Promise<void> => {
    pending.shift()!.reject(new Error(text));
    await Promise.all(work.splice(0));
  };
  return { tracker, book, pending, sent, counted, answer, fail, advance: (ms: number) => (nowMs += ms) };
}

function order(cumQty: number, status: OrderRecord['status']): LiveOrder {
  const spec = { clientOrderId: 'c1', strategyId: 'spread', intentSeq: 1, leg: 0, attempt: 0, purpose: 'leg' as const, venue: 'okx', symbol: 'BTC/USDT', side: 'sell' as const, orderType: 'limit' as const, timeInForce: 'IOC' as const, qty: 0.5, limitPx: 100, reduceOnly: false, createdMs: 0 };
  return { spec, record: { ...newOrder(spec), status, cumQty }, sentMs: 0, intentTs: 0, busy: false, cancelRequested: false, needsLookup: false, nextLookupMs: 0 };
}

describe('balance tracker', () => {
  it('fetches at start, coalesces fills into one more fetch, and sends strategies only the fetch after the fill', async () => {
    const h = harness();
    h.tracker.tick(1_000);
    expect(h.tracker.ready()).toBe(false);
    await h.answer(1);
    expect(h.tracker.ready()).toBe(true);
    expect(h.sent).toEqual([expect.objectContaining({ type: 'BalanceChanged', venue: 'okx', account: 'OKX', balances: [{ asset: 'BTC', free: 1, used: 0, total: 1 }] })]);

    h.book.reserve([{ venue: 'okx', symbol: 'BTC/USDT', side: 'sell', orderType: 'limit', timeInForce: 'IOC', qty: 0.5, limitPx: 100, reduceOnly: false }], [100], () => 0, () => reservationKey('spread', 1, 0), 1_000);
    h.tracker.refresh('okx'); // a periodic fetch goes out …
    h.advance(10);
    h.tracker.onOrderChanged(order(0.2, 'partially_filled')); // … a fill arrives while it is in flight …
    h.tracker.onOrderChanged(order(0.5, 'filled')); // … and another
    expect(h.pending).toHaveLength(1);
    await h.answer(1); // predates the fills
    expect(h.sent).toHaveLength(1); // not sent to the strategies
    expect(h.book.available('okx', 'BTC')).toBeCloseTo(0.5, 12); // the reservation still holds
    expect(h.pending).toHaveLength(1); // the one follow-up fetch
    await h.answer(0.5);
    expect(h.sent).toHaveLength(2);
    expect(h.book.available('okx', 'BTC')).toBeCloseTo(0.5, 12);
    expect(h.book.reserved()).toEqual({});
  });

  it('refreshes every refreshMs, and keeps the last snapshot when a fetch fails', async () => {
    const h = harness();
    h.tracker.tick(1_000);
    await h.answer(1);
    h.tracker.tick(5_999);
    expect(h.pending).toHaveLength(0);
    h.advance(5_000);
    h.tracker.tick(6_000);
    await h.fail('okx GET /api/v5/account/balance: 503');
    expect(h.counted).toEqual(['balance_fetch_failed']);
    const status = h.tracker.status().okx!;
    expect(status).toMatchObject({ fetches: 1, failures: 1, lastError: 'okx GET /api/v5/account/balance: 503', balances: [{ asset: 'BTC', free: 1, used: 0, total: 1 }], ageMs: 5_000 });
    expect(h.book.available('okx', 'BTC')).toBe(1);
  });
});
