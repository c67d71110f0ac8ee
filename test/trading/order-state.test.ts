import { describe, expect, it } from 'vitest';
import {
  ORDER_STATUSES,
  isOpen,
  newOrder,
  remainingQty,
  transition,
  type OrderEvent,
  type OrderRecord,
  type OrderStatus,
} from '../../src/trading/orders/order-state.js';

const base = newOrder({ clientOrderId: 'c1', venue: 'okx', symbol: 'BTC/USDT', side: 'buy', qty: 2 });
const at = (status: OrderStatus, extra: Partial<OrderRecord> = {}): OrderRecord => ({ ...base, status, ...extra });

function apply(order: OrderRecord, event: OrderEvent): OrderRecord {
  const result = transition(order, event);
  if ('error' in result) throw new Error(result.error.message);
  return result.order;
}

const fill = (tradeId: string, qty: number, px = 100, fee = 0.01): OrderEvent => ({ type: 'fill', tradeId, qty, px, fee });

const EVENTS: Record<OrderEvent['type'], OrderEvent> = {
  sent: { type: 'sent' },
  accepted: { type: 'accepted', venueOrderId: 'v1' },
  fill: fill('t-x', 0.5),
  canceled: { type: 'canceled', reason: 'user' },
  rejected: { type: 'rejected', reason: 'insufficient margin' },
  lost: { type: 'lost' },
  not_found: { type: 'not_found' },
};

// The expected table, written from the spec (not read from the implementation):
// status → event → resulting status (a partial 0.5 fill of a 2-lot order where fill is legal).
const EXPECTED: Record<OrderStatus, Partial<Record<OrderEvent['type'], OrderStatus>>> = {
  new: { sent: 'sent', canceled: 'canceled', rejected: 'rejected' },
  sent: { accepted: 'accepted', fill: 'partially_filled', canceled: 'canceled', rejected: 'rejected', lost: 'unknown' },
  accepted: { accepted: 'accepted', fill: 'partially_filled', canceled: 'canceled', lost: 'unknown' },
  partially_filled: { accepted: 'partially_filled', fill: 'partially_filled', canceled: 'canceled', lost: 'unknown' },
  unknown: { accepted: 'accepted', fill: 'partially_filled', canceled: 'canceled', rejected: 'rejected', not_found: 'rejected' },
  filled: { accepted: 'filled' },
  canceled: { accepted: 'canceled', fill: 'canceled' },
  rejected: {},
};

describe('order state machine: the transition table', () => {
  for (const status of ORDER_STATUSES) {
    for (const [type, event] of Object.entries(EVENTS) as [OrderEvent['type'], OrderEvent][]) {
      const expected = EXPECTED[status][type];
      it(`${status} + ${type} → ${expected ?? 'error'}`, () => {
        const extra = status === 'partially_filled' || status === 'canceled' ? { cumQty: 0.5, avgFillPx: 100, tradeIds: ['t0'] } : {};
        const result = transition(at(status, extra), event);
        if (expected === undefined) {
          expect('error' in result && result.error.code).toBe('illegal_transition');
        } else {
          expect('order' in result && result.order.status).toBe(expected);
        }
      });
    }
  }

  it('knows the open states', () => {
    expect(ORDER_STATUSES.filter(isOpen).sort()).toEqual(['accepted', 'new', 'partially_filled', 'sent', 'unknown']);
  });
});

describe('order state machine: fills', () => {
  it('walks new → sent → accepted → partially filled → filled with cumulative bookkeeping', () => {
    let o = apply(base, { type: 'sent' });
    o = apply(o, { type: 'accepted', venueOrderId: 'v9' });
    o = apply(o, fill('t1', 0.5, 100, 0.1));
    expect(o).toMatchObject({ status: 'partially_filled', cumQty: 0.5, avgFillPx: 100, fees: 0.1, venueOrderId: 'v9' });
    expect(remainingQty(o)).toBe(1.5);
    o = apply(o, fill('t2', 1.5, 104, 0.3));
    expect(o.status).toBe('filled');
    expect(o.cumQty).toBe(2);
    expect(o.avgFillPx).toBeCloseTo((0.5 * 100 + 1.5 * 104) / 2, 12); // 103
    expect(o.fees).toBeCloseTo(0.4, 12);
    expect(remainingQty(o)).toBe(0);
  });

  it('ignores a duplicate fill by trade id, even after the order is filled', () => {
    let o = apply(apply(base, { type: 'sent' }), fill('t1', 1));
    const dup = transition(o, fill('t1', 1));
    expect(dup).toEqual({ order: o, duplicate: true });
    o = apply(o, fill('t2', 1));
    expect(transition(o, fill('t2', 1))).toEqual({ order: o, duplicate: true });
    expect(o.cumQty).toBe(2);
  });

  it('refuses a fill that would exceed the order quantity', () => {
    const o = apply(apply(base, { type: 'sent' }), fill('t1', 1.5));
    const result = transition(o, fill('t2', 0.6));
    expect('error' in result && result.error.code).toBe('overfill');
  });

  it('tolerates float noise on the last fill and reports exactly qty', () => {
    const order = newOrder({ clientOrderId: 'c2', venue: 'okx', symbol: 'BTC/USDT', side: 'buy', qty: 0.3 });
    let o = apply(apply(order, { type: 'sent' }), fill('t1', 0.1));
    o = apply(o, fill('t2', 0.2)); // 0.1 + 0.2 = 0.30000000000000004
    expect(o.status).toBe('filled');
    expect(o.cumQty).toBe(0.3);
  });

  it('refuses a malformed fill', () => {
    const sent = apply(base, { type: 'sent' });
    for (const bad of [fill('a', 0), fill('b', -1), fill('c', 1, 0), fill('d', Number.NaN)]) {
      const result = transition(sent, bad);
      expect('error' in result && result.error.code).toBe('invalid_fill');
    }
  });

  it('books a late fill on a canceled order, and completes it if the fill covers the rest', () => {
    let o = apply(apply(apply(base, { type: 'sent' }), fill('t1', 0.5)), { type: 'canceled', reason: 'timeout' });
    o = apply(o, fill('t2', 0.5));
    expect(o).toMatchObject({ status: 'canceled', cumQty: 1, reason: 'timeout' });
    o = apply(o, fill('t3', 1));
    expect(o.status).toBe('filled');
  });
});

describe('order state machine: reconciliation', () => {
  it('moves an in-flight order to unknown and resolves it from a venue lookup', () => {
    const unknown = apply(apply(base, { type: 'sent' }), { type: 'lost' });
    expect(unknown.status).toBe('unknown');
    // Venue says it exists and filled 1.
    const found = apply(apply(unknown, { type: 'accepted', venueOrderId: 'v1' }), fill('t1', 1));
    expect(found).toMatchObject({ status: 'partially_filled', cumQty: 1, venueOrderId: 'v1' });
    // Venue says it never arrived: rejected, never resent (a new attempt gets a new client id).
    expect(apply(unknown, { type: 'not_found' })).toMatchObject({ status: 'rejected', reason: 'not_found' });
  });

  it('resolves an unknown order that already held fills to partially filled, not accepted', () => {
    const lost = apply(apply(apply(base, { type: 'sent' }), fill('t1', 0.5)), { type: 'lost' });
    const resolved = apply(lost, { type: 'accepted', venueOrderId: 'v1' });
    expect(resolved).toMatchObject({ status: 'partially_filled', cumQty: 0.5 });
    // The lookup replays the venue's fills: the one booked before the crash is ignored.
    const replayed = transition(resolved, fill('t1', 0.5));
    expect(replayed).toEqual({ order: resolved, duplicate: true });
    expect(apply(resolved, fill('t2', 1.5)).status).toBe('filled');
  });

  it('keeps the first venue order id', () => {
    const o = apply(apply(apply(base, { type: 'sent' }), { type: 'accepted', venueOrderId: 'v1' }), { type: 'accepted', venueOrderId: 'v2' });
    expect(o.venueOrderId).toBe('v1');
  });

  it('does not change the input record', () => {
    const sent = apply(base, { type: 'sent' });
    transition(sent, fill('t1', 1));
    expect(sent).toMatchObject({ status: 'sent', cumQty: 0, tradeIds: [] });
  });
});
