/**
 * The order state machine, as an explicit transition table.
 *
 *   new ──sent──► sent ──accepted──► accepted ──fill──► partially_filled ──fill──► filled
 *                  │  ╲                 │                    │
 *                  │   ╲─fill (ack raced by the fill)        ├──canceled──► canceled (late fills still booked)
 *                  ├──rejected──► rejected                   │
 *                  └──lost──► unknown ◄──────lost────────────┘
 *                              │ resolved by a venue lookup, never by resending:
 *                              └─ accepted | fill | canceled | rejected | not_found (→ rejected)
 *
 * `lost` is what execution records when it cannot know whether a request reached the venue (a
 * crash or a timeout with the request in flight). From `unknown`, only what the venue says moves
 * the order on. Fills are booked by trade id: a duplicate is ignored, and the cumulative quantity
 * never exceeds the order quantity. Pure: `transition(order, event)` returns a new record.
 */
import type { Side } from '../../protocol/index.js';

export const ORDER_STATUSES = Object.freeze([
  'new',
  'sent',
  'accepted',
  'partially_filled',
  'filled',
  'canceled',
  'rejected',
  'unknown',
] as const);
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export interface OrderRecord {
  readonly clientOrderId: string;
  readonly venue: string;
  readonly symbol: string;
  readonly side: Side;
  readonly qty: number;
  readonly status: OrderStatus;
  readonly cumQty: number;
  /** Volume-weighted average fill price (0 before the first fill). */
  readonly avgFillPx: number;
  readonly fees: number;
  readonly venueOrderId: string | null;
  /** Trade ids already booked, for de-duplication (a few per order). */
  readonly tradeIds: readonly string[];
  /** Why it was canceled or rejected. */
  readonly reason: string | null;
}

export type OrderEvent =
  | { readonly type: 'sent' }
  | { readonly type: 'accepted'; readonly venueOrderId: string }
  | { readonly type: 'fill'; readonly tradeId: string; readonly qty: number; readonly px: number; readonly fee: number }
  | { readonly type: 'canceled'; readonly reason: string }
  | { readonly type: 'rejected'; readonly reason: string }
  | { readonly type: 'lost' }
  | { readonly type: 'not_found' };
export type OrderEventType = OrderEvent['type'];

export type TransitionError = { readonly code: 'illegal_transition' | 'overfill' | 'invalid_fill'; readonly message: string };
export type TransitionResult =
  | { readonly order: OrderRecord; readonly duplicate: boolean }
  | { readonly error: TransitionError };

/** A fill's target depends on the quantity: `filled` when complete, else this. */
type Target = OrderStatus | { readonly byFill: OrderStatus };
const BY_FILL = { byFill: 'partially_filled' } as const;

/**
 * Every legal (status, event) pair. Anything missing is illegal. Self-transitions on `accepted`
 * absorb a late acknowledgement (the venue's fill stream can beat its order ack).
 */
const TRANSITIONS: Readonly<Record<OrderStatus, Partial<Record<OrderEventType, Target>>>> = {
  new: { sent: 'sent', canceled: 'canceled', rejected: 'rejected' },
  sent: { accepted: 'accepted', fill: BY_FILL, canceled: 'canceled', rejected: 'rejected', lost: 'unknown' },
  accepted: { accepted: 'accepted', fill: BY_FILL, canceled: 'canceled', lost: 'unknown' },
  partially_filled: { accepted: 'partially_filled', fill: BY_FILL, canceled: 'canceled', lost: 'unknown' },
  unknown: { accepted: 'accepted', fill: BY_FILL, canceled: 'canceled', rejected: 'rejected', not_found: 'rejected' },
  filled: { accepted: 'filled' },
  // A fill the venue made before the cancel took effect can be reported after it.
  canceled: { accepted: 'canceled', fill: { byFill: 'canceled' } },
  rejected: {},
};

const TERMINAL: ReadonlySet<OrderStatus> = new Set(['filled', 'canceled', 'rejected']);

/** A fresh order in state `new`. @example newOrder({ clientOrderId: 'a1', venue: 'okx', symbol: 'BTC/USDT', side: 'buy', qty: 1 }) */
export function newOrder(fields: Pick<OrderRecord, 'clientOrderId' | 'venue' | 'symbol' | 'side' | 'qty'>): OrderRecord {
  return { ...fields, status: 'new', cumQty: 0, avgFillPx: 0, fees: 0, venueOrderId: null, tradeIds: [], reason: null };
}

/** Counts against the open-orders cap: anything that may still rest on or reach the venue. */
export function isOpen(status: OrderStatus): boolean {
  return !TERMINAL.has(status);
}

export function remainingQty(order: OrderRecord): number {
  return Math.max(0, order.qty - order.cumQty);
}

/**
 * Applies one event. Illegal pairs, over-fills and malformed fills return `{ error }` and leave
 * the order as it was; a fill whose trade id was already booked returns the order unchanged
 * with `duplicate: true`.
 *
 * @example
 * const sent = transition(newOrder({ clientOrderId: 'a1', venue: 'okx', symbol: 'BTC/USDT', side: 'buy', qty: 1 }), { type: 'sent' });
 * // { order: { status: 'sent', … }, duplicate: false }
 */
export function transition(order: OrderRecord, event: OrderEvent): TransitionResult {
  if (event.type === 'fill' && order.tradeIds.includes(event.tradeId)) return { order, duplicate: true };
  const target = TRANSITIONS[order.status][event.type];
  if (target === undefined) {
    return { error: { code: 'illegal_transition', message: `${event.type} is not legal in state ${order.status} (order ${order.clientOrderId})` } };
  }
  if (event.type === 'fill') return applyFill(order, event, typeof target === 'string' ? target : target.byFill);
  const next = target as OrderStatus;
  switch (event.type) {
    case 'accepted':
      // An order resolved from `unknown` may already hold fills booked before the crash.
      return ok({ ...order, status: next === 'accepted' && order.cumQty > 0 ? 'partially_filled' : next, venueOrderId: order.venueOrderId ?? event.venueOrderId });
    case 'canceled':
    case 'rejected':
      return ok({ ...order, status: next, reason: event.reason });
    case 'not_found':
      return ok({ ...order, status: next, reason: 'not_found' });
    default:
      return ok({ ...order, status: next });
  }
}

const ok = (order: OrderRecord): TransitionResult => ({ order, duplicate: false });

function applyFill(order: OrderRecord, fill: Extract<OrderEvent, { type: 'fill' }>, partialStatus: OrderStatus): TransitionResult {
  if (!(fill.qty > 0 && Number.isFinite(fill.qty) && fill.px > 0 && Number.isFinite(fill.px) && Number.isFinite(fill.fee))) {
    return { error: { code: 'invalid_fill', message: `fill ${fill.tradeId} has qty=${fill.qty} px=${fill.px} fee=${fill.fee}` } };
  }
  const cumQty = order.cumQty + fill.qty;
  // Venues report decimal quantities that arrive as binary floats: allow rounding noise, not a real overfill.
  const tolerance = order.qty * 1e-9;
  if (cumQty > order.qty + tolerance) {
    return { error: { code: 'overfill', message: `fill ${fill.tradeId} of ${fill.qty} takes ${order.clientOrderId} to ${cumQty} > qty ${order.qty}` } };
  }
  const complete = cumQty >= order.qty - tolerance;
  return ok({
    ...order,
    status: complete ? 'filled' : partialStatus,
    cumQty: complete ? order.qty : cumQty,
    avgFillPx: (order.cumQty * order.avgFillPx + fill.qty * fill.px) / cumQty,
    fees: order.fees + fill.fee,
    tradeIds: [...order.tradeIds, fill.tradeId],
  });
}
