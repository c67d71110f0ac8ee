/**
 * What a venue says about one of our orders, and how that moves the order's state.
 *
 * Execution never trusts its own idea of an order over the venue's: every answer (a create
 * response, a poll, a cancel response, a reconciliation lookup) is a `VenueOrderView`, and
 * `eventsFromView` turns the difference between the view and our record into state-machine
 * events. Applying the same view twice yields nothing the second time (trade ids are booked once,
 * and `accepted` is absorbed), so answers may arrive late, twice or out of order.
 *
 * Adapters guarantee that a view whose `filledQty` is above zero lists every trade of the order,
 * or else sets `tradesComplete: false`; a terminal state is only applied once the trades account
 * for the filled quantity, so an order never ends with a fill missing from the journal.
 */
import type { OrderEvent, OrderRecord } from './order-state.js';
import { symbolParts } from '../market/symbols.js';

/** `pending`: the venue has the order but has not answered yet (paper latency). */
export type VenueOrderState = 'pending' | 'open' | 'filled' | 'canceled' | 'rejected';

export interface VenueTradeView {
  readonly tradeId: string;
  readonly qty: number;
  readonly px: number;
  /** As the venue charged it, in `feeCurrency`. */
  readonly fee: number;
  readonly feeCurrency: string;
  readonly timestampMs: number;
}

export interface VenueOrderView {
  readonly venueOrderId: string;
  readonly state: VenueOrderState;
  readonly filledQty: number;
  readonly trades: readonly VenueTradeView[];
  /** False when the venue reported fills the trades above do not cover (fetch them, then apply). */
  readonly tradesComplete: boolean;
  /** Why it was canceled or rejected (`expired` for an IOC remainder). */
  readonly reason: string | null;
}

/** Converts a fee to the market's quote currency; null when it was charged in a third asset we cannot price. */
export type FeeConverter = (fee: number, feeCurrency: string, symbol: string, fillPx: number) => number | null;

/**
 * The fee in quote currency: the quote or settle asset as is, the base asset at the fill price,
 * another asset (BNB) at `priceOf(<asset>/<quote>)` when known.
 *
 * @example feeInQuote(0.00001, 'BTC', 'BTC/USDT', 65_000, () => null) // 0.65
 */
export function feeInQuote(fee: number, feeCurrency: string, symbol: string, fillPx: number, priceOf: (symbol: string) => number | null): number | null {
  if (fee === 0 || feeCurrency === '') return fee;
  const { base, quote } = symbolParts(symbol);
  const settle = symbol.includes(':') ? symbol.slice(symbol.indexOf(':') + 1) : quote;
  if (feeCurrency === quote || feeCurrency === settle) return fee;
  if (feeCurrency === base) return fee * fillPx;
  const px = priceOf(`${feeCurrency}/${quote}`);
  return px === null ? null : fee * px;
}

const EPSILON = 1e-9;

/**
 * The events that bring `order` in line with `view`: `accepted` once the venue has it, one `fill`
 * per trade not yet booked (fee converted to quote), then the terminal state when the trades
 * cover the venue's filled quantity.
 *
 * @example eventsFromView(sentOrder, { venueOrderId: '7', state: 'filled', filledQty: 1, trades: [t], tradesComplete: true, reason: null }, convert)
 * // [{ type: 'accepted', venueOrderId: '7' }, { type: 'fill', tradeId: t.tradeId, … }]
 */
export function eventsFromView(order: OrderRecord, view: VenueOrderView, convert: FeeConverter): OrderEvent[] {
  const events: OrderEvent[] = [];
  if (view.state === 'pending') return events;
  if (view.state === 'rejected') {
    if (order.cumQty === 0 && order.status !== 'rejected') events.push({ type: 'rejected', reason: view.reason ?? 'rejected' });
    return events;
  }
  if (order.venueOrderId === null || order.status === 'sent' || order.status === 'unknown') events.push({ type: 'accepted', venueOrderId: view.venueOrderId });
  let booked = order.cumQty;
  for (const trade of view.trades) {
    if (order.tradeIds.includes(trade.tradeId)) continue;
    const fee = convert(trade.fee, trade.feeCurrency, order.symbol, trade.px) ?? 0;
    events.push({ type: 'fill', tradeId: trade.tradeId, qty: trade.qty, px: trade.px, fee });
    booked += trade.qty;
  }
  const covered = view.tradesComplete && booked >= view.filledQty - Math.max(EPSILON, view.filledQty * EPSILON);
  if (view.state === 'canceled' && covered && order.status !== 'canceled') events.push({ type: 'canceled', reason: view.reason ?? 'canceled' });
  return events;
}
