/**
 * Execution's orders and positions in memory, mirrored to the journal.
 *
 * Every state change goes through `apply`: the transition is computed (trading/order-state), then
 * journaled (with the fill row, in one transaction), and only then does it take effect in memory
 * and become an event for the strategy. If the journal write throws, nothing changed and no event
 * was sent. Positions are rebuilt from the journal's fills and funding rows at start, so they are
 * exactly what the journal says.
 *
 * Fills are booked under (venue, symbol, venue order id, trade id). The same trade reported again
 * with the same content is a redelivery (nothing happens); with another qty, price or fee it is a
 * conflict: counted (`fill_conflict`, and as an actor error), logged once per key, never booked
 * and never silently dropped. Trades an order already booked are checked against the journal each
 * time a venue view repeats them, so a venue that changes a booked fill is noticed.
 */
import { message, type MessageOf } from '../protocol/index.js';
import type { QuoteBook } from '../trading/market/book.js';
import type { ExecutionJournal, FillRow, FundingRow, JournalContents, OrderSpecRow } from './journal-port.js';
import { isOpen, newOrder, remainingQty, transition, type OrderEvent, type OrderRecord } from '../trading/orders/order-state.js';
import { PositionBook } from '../trading/market/positions.js';
import type { OpenOrderView } from '../trading/risk/exposure.js';
import { monoNowNs } from '../base/clock.js';
import { symbolParts } from '../trading/market/symbols.js';
import { eventsFromView, type FeeConverter, type VenueOrderView, type VenueTradeView } from '../trading/orders/venue-view.js';
import type { EventSink } from './events.js';

export interface LiveOrder {
  readonly spec: OrderSpecRow;
  record: OrderRecord;
  sentMs: number | null;
  /** Monotonic ns of the market event behind the intent (0 when reloaded from the journal). */
  readonly intentTs: number;
  /** A request about this order is outstanding: no poll, and a cancel waits for it. */
  busy: boolean;
  cancelRequested: boolean;
  /** The venue said it does not know the order (a cancel's "not found"): look it up before anything else. */
  needsLookup: boolean;
  nextLookupMs: number;
}

export type OrderListener = (order: LiveOrder) => void;

export interface OrderStoreCounters {
  count(name: string, by?: number): void;
  reportError(reason: string, error: unknown): void;
}

/** The order events of a transition that reached `next`, for the strategy. */
function eventFor(order: LiveOrder, event: OrderEvent, next: OrderRecord, ts: number, code: string): MessageOf<'OrderAccepted' | 'Canceled' | 'OrderRejected'> | null {
  const { strategyId, intentSeq, leg, clientOrderId, venue, symbol } = order.spec;
  const ref = { ts, strategyId, clientOrderId, intentSeq, leg };
  switch (event.type) {
    case 'accepted':
      return order.record.venueOrderId === null ? message('OrderAccepted', { ...ref, venue, symbol, side: next.side, qty: next.qty, limitPx: order.spec.limitPx, venueOrderId: next.venueOrderId ?? '' }) : null;
    case 'canceled':
      return message('Canceled', { ...ref, venue, symbol, cumQty: next.cumQty, reason: next.reason ?? '' });
    case 'rejected':
    case 'not_found':
      return message('OrderRejected', { ...ref, venue, code, error: next.reason ?? '' });
    default:
      return null;
  }
}

export class OrderStore {
  readonly orders = new Map<string, LiveOrder>();
  readonly positions = new PositionBook();
  private readonly byVenueOrderId = new Map<string, LiveOrder>();
  /** Fill keys already reported as conflicting (each is logged once). */
  private readonly conflicts = new Set<string>();
  private listener: OrderListener = () => {};

  constructor(
    private readonly journal: ExecutionJournal,
    private readonly sink: EventSink,
    private readonly book: QuoteBook,
    private readonly convertFee: FeeConverter,
    private readonly counters: OrderStoreCounters,
  ) {}

  /** Called after any change to an order (the multi-leg runner follows its orders this way). */
  onChange(listener: OrderListener): void {
    this.listener = listener;
  }

  /** Rebuilds orders and positions from the journal. */
  load(contents: JournalContents): void {
    for (const fill of contents.fills) this.positions.applyFill(fill.strategyId, fill.venue, fill.symbol, { side: fill.side, qty: fill.qty, px: fill.px, fee: fill.feeQuote });
    for (const funding of contents.funding) this.positions.applyFunding(funding.strategyId, funding.venue, funding.symbol, funding.amount);
    for (const { spec, record, sentMs } of contents.orders) this.track({ spec, record, sentMs, intentTs: 0, busy: false, cancelRequested: false, needsLookup: false, nextLookupMs: 0 });
  }

  get(clientOrderId: string): LiveOrder | undefined {
    return this.orders.get(clientOrderId);
  }

  byVenueOrder(venue: string, venueOrderId: string): LiveOrder | undefined {
    return this.byVenueOrderId.get(`${venue}|${venueOrderId}`);
  }

  /** A new order in state `new`, journaled (call inside the command's transaction). */
  create(spec: OrderSpecRow, intentTs: number, nowMs: number): LiveOrder {
    const order: LiveOrder = { spec, record: newOrder(spec), sentMs: null, intentTs, busy: false, cancelRequested: false, needsLookup: false, nextLookupMs: 0 };
    this.journal.insertOrder({ spec, record: order.record, sentMs: null }, nowMs);
    this.track(order);
    return order;
  }

  /** Marks the order as handed to the venue; journaled before the request goes out. */
  markSent(order: LiveOrder, nowMs: number): void {
    this.apply(order, { type: 'sent' }, nowMs);
  }

  /**
   * Applies one event: journal, then memory, then the strategy's event. Returns false when the
   * event was a duplicate or illegal (counted, never thrown: a venue's odd answer must not stop execution).
   */
  apply(order: LiveOrder, event: OrderEvent, nowMs: number, code = '', trade?: VenueTradeView): boolean {
    const result = transition(order.record, event);
    if ('error' in result) {
      this.counters.count(`transition_${result.error.code}`);
      this.counters.reportError('order_transition', new Error(result.error.message));
      return false;
    }
    if (result.duplicate) return false;
    const next = result.order;
    const sentMs = event.type === 'sent' ? nowMs : undefined;
    if (event.type === 'fill') {
      if (!this.journalFill(order, next, event, nowMs, trade)) return false;
    } else {
      this.journal.recordTransition(next, event.type, nowMs, sentMs);
    }
    const out = eventFor(order, event, next, order.intentTs || monoNowNs(), code);
    order.record = next;
    if (sentMs !== undefined) order.sentMs = sentMs;
    if (next.venueOrderId) this.byVenueOrderId.set(`${next.venue}|${next.venueOrderId}`, order);
    if (out) this.sink.toStrategy(order.spec.strategyId, out);
    if (event.type === 'fill') this.publishFill(order, event);
    this.listener(order);
    return true;
  }

  /** Brings the order in line with a venue's view (see trading/venue-view.ts). */
  applyView(order: LiveOrder, view: VenueOrderView, nowMs: number): void {
    for (const trade of view.trades) if (order.record.tradeIds.includes(trade.tradeId)) this.checkBooked(order, view.venueOrderId, trade, nowMs);
    for (const event of eventsFromView(order.record, view, this.convertFee)) {
      const trade = event.type === 'fill' ? view.trades.find((t) => t.tradeId === event.tradeId) : undefined;
      this.apply(order, event, nowMs, view.reason ?? '', trade);
    }
  }

  /** Books a funding payment (journaled first; a payment seen again is ignored). */
  applyFunding(row: FundingRow): boolean {
    if (!this.journal.recordFunding(row)) return false;
    this.positions.applyFunding(row.strategyId, row.venue, row.symbol, row.amount);
    const fields = { strategyId: row.strategyId, venue: row.venue, symbol: row.symbol, rate: row.rate, positionQty: row.positionQty, markPx: row.markPx, amount: row.amount };
    this.sink.toStrategy(row.strategyId, message('FundingSettled', { ts: monoNowNs(), ...fields }));
    this.publishPosition(row.strategyId, row.venue, row.symbol, monoNowNs());
    return true;
  }

  /** Orders that may still rest on or reach a venue. */
  open(): LiveOrder[] {
    const out: LiveOrder[] = [];
    for (const order of this.orders.values()) if (isOpen(order.record.status)) out.push(order);
    return out;
  }

  /** Open orders as the risk engine counts them. */
  openOrderViews(): OpenOrderView[] {
    return this.open().map((o) => ({ strategyId: o.spec.strategyId, venue: o.spec.venue, symbol: o.spec.symbol, side: o.spec.side, remainingQty: remainingQty(o.record), limitPx: o.spec.limitPx }));
  }

  /** Drops terminal orders last updated before `beforeMs` from memory (the journal keeps them). */
  prune(isStale: (order: LiveOrder) => boolean): void {
    for (const [id, order] of this.orders) {
      if (isOpen(order.record.status) || !isStale(order)) continue;
      this.orders.delete(id);
      if (order.record.venueOrderId) this.byVenueOrderId.delete(`${order.record.venue}|${order.record.venueOrderId}`);
    }
  }

  publishPosition(strategyId: string, venue: string, symbol: string, ts: number): void {
    const fields = this.positions.update(strategyId, venue, symbol, this.book.referencePx(venue, symbol));
    this.sink.toStrategy(strategyId, message('PositionChanged', { ts, ...fields }));
  }

  private track(order: LiveOrder): void {
    this.orders.set(order.spec.clientOrderId, order);
    if (order.record.venueOrderId) this.byVenueOrderId.set(`${order.record.venue}|${order.record.venueOrderId}`, order);
  }

  /** The fill row and the order's new state commit together; false when the trade was already booked (or conflicts). */
  private journalFill(order: LiveOrder, next: OrderRecord, fill: Extract<OrderEvent, { type: 'fill' }>, nowMs: number, trade: VenueTradeView | undefined): boolean {
    const row = this.fillRow(order, next.venueOrderId ?? '', { tradeId: fill.tradeId, qty: fill.qty, px: fill.px, fee: trade?.fee ?? fill.fee, feeCurrency: trade?.feeCurrency }, fill.fee, trade?.timestampMs || nowMs);
    return this.journal.transaction(() => {
      if (!this.booked(row)) return false;
      this.journal.recordTransition(next, 'fill', nowMs);
      return true;
    });
  }

  /** A trade the order already booked, seen again in a venue view: the journal's row must match it. */
  private checkBooked(order: LiveOrder, venueOrderId: string, trade: VenueTradeView, nowMs: number): void {
    const feeQuote = this.convertFee(trade.fee, trade.feeCurrency, order.spec.symbol, trade.px) ?? 0;
    this.booked(this.fillRow(order, venueOrderId, trade, feeQuote, trade.timestampMs || nowMs));
  }

  private fillRow(order: LiveOrder, venueOrderId: string, trade: Pick<VenueTradeView, 'tradeId' | 'qty' | 'px' | 'fee'> & { feeCurrency: string | undefined }, feeQuote: number, atMs: number): FillRow {
    const { spec } = order;
    return {
      venue: spec.venue,
      symbol: spec.symbol,
      venueOrderId,
      tradeId: trade.tradeId,
      clientOrderId: spec.clientOrderId,
      strategyId: spec.strategyId,
      side: spec.side,
      qty: trade.qty,
      px: trade.px,
      feeQuote,
      fee: trade.fee,
      feeCurrency: trade.feeCurrency ?? symbolParts(spec.symbol).quote,
      atMs,
    };
  }

  /** Journals the fill; true when it is new. A redelivery is counted, a conflict reported (once per key). */
  private booked(row: FillRow): boolean {
    const outcome = this.journal.recordFill(row);
    if (outcome === 'recorded') return true;
    if (outcome === 'duplicate') {
      this.counters.count('fill_already_journaled');
      return false;
    }
    const key = `${row.venue}|${row.symbol}|${row.venueOrderId}|${row.tradeId}`;
    if (this.conflicts.has(key)) return false;
    this.conflicts.add(key);
    this.counters.count('fill_conflict');
    const { journaled } = outcome;
    this.counters.reportError(
      'fill_conflict',
      new Error(
        `fill ${key} (order ${row.clientOrderId}) is journaled as qty ${journaled.qty} @ ${journaled.px} fee ${journaled.fee} ${journaled.feeCurrency} (order ${journaled.clientOrderId}), the venue now reports qty ${row.qty} @ ${row.px} fee ${row.fee} ${row.feeCurrency}: not booked`,
      ),
    );
    return false;
  }

  private publishFill(order: LiveOrder, fill: Extract<OrderEvent, { type: 'fill' }>): void {
    const { spec, record } = order;
    this.positions.applyFill(spec.strategyId, spec.venue, spec.symbol, { side: spec.side, qty: fill.qty, px: fill.px, fee: fill.fee });
    const ts = order.intentTs || monoNowNs();
    const fields = {
      ts,
      strategyId: spec.strategyId,
      clientOrderId: spec.clientOrderId,
      intentSeq: spec.intentSeq,
      leg: spec.leg,
      venue: spec.venue,
      symbol: spec.symbol,
      side: spec.side,
      fillQty: fill.qty,
      fillPx: fill.px,
      cumQty: record.cumQty,
      remainingQty: remainingQty(record),
      fee: fill.fee,
      feeCurrency: symbolParts(spec.symbol).quote,
      tradeId: fill.tradeId,
    };
    this.sink.toStrategy(spec.strategyId, record.status === 'filled' ? message('Filled', fields) : message('PartiallyFilled', fields));
    this.publishPosition(spec.strategyId, spec.venue, spec.symbol, ts);
  }
}
