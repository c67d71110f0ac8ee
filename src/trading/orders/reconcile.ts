/**
 * Reconciliation decisions, pure: what a restart does to each journaled order, how a venue lookup
 * resolves an order in `unknown`, and how a multi-leg coordinator catches up with its orders.
 *
 * The rule behind all of them: an order that may have reached the venue is resolved by asking the
 * venue, never by sending it again.
 * - `new` was journaled but its `sent` mark was not: it was never handed to the network (execution
 *   journals `sent` before the request), so it is canceled locally.
 * - `sent`, `accepted`, `partially_filled`: the venue may have moved on while we were down; they go
 *   to `unknown` and are looked up by client order id.
 * - A lookup that finds the order applies the venue's view. One that does not is final only once
 *   the request can no longer arrive: venues refuse a signed request older than its receive window
 *   (binance `recvWindow`), so after `graceMs` from the send "not found" means "never arrived".
 */
import type { MultiLegEvent, MultiLegState } from './multi-leg.js';
import type { OrderEvent, OrderRecord } from './order-state.js';
import { eventsFromView, type FeeConverter, type VenueOrderView } from './venue-view.js';

/** The event a restart applies to a journaled order before any venue is asked (null: none). */
export function restartEvent(record: OrderRecord): OrderEvent | null {
  switch (record.status) {
    case 'new':
      return { type: 'canceled', reason: 'not sent before restart' };
    case 'sent':
    case 'accepted':
    case 'partially_filled':
      return { type: 'lost' };
    default:
      return null;
  }
}

/**
 * The events a lookup implies. `view` null means the venue does not know the order; that becomes
 * `not_found` (→ rejected) once `msSinceSent` reaches `graceMs`, and nothing before that (the order
 * stays `unknown` and is looked up again).
 *
 * @example lookupEvents(unknownOrder, null, 20_000, 15_000, convert) // [{ type: 'not_found' }]
 */
export function lookupEvents(record: OrderRecord, view: VenueOrderView | null, msSinceSent: number, graceMs: number, convert: FeeConverter): OrderEvent[] {
  if (view) return eventsFromView(record, view, convert);
  if (msSinceSent < graceMs) return [];
  // An order the venue had acknowledged and no longer knows is treated like one in doubt.
  return record.status === 'unknown' ? [{ type: 'not_found' }] : [{ type: 'lost' }, { type: 'not_found' }];
}

const EPSILON = 1e-9;

/**
 * The events that bring a multi-leg coordinator up to date with the journaled orders it tracks:
 * fills it has not counted (priced so its cost matches the journal exactly) and ends it has not
 * seen. Derived from the journal rather than replayed from event history, so it is also what
 * repairs a coordinator whose last save lost the race with a crash.
 */
export function multiLegSyncEvents(state: MultiLegState, recordOf: (clientOrderId: string) => OrderRecord | undefined): MultiLegEvent[] {
  const events: MultiLegEvent[] = [];
  for (const tracked of state.orders) {
    const record = recordOf(tracked.clientOrderId);
    if (!record) continue;
    const deltaQty = record.cumQty - tracked.filledQty;
    if (deltaQty > Math.max(EPSILON, record.qty * EPSILON)) {
      const px = (record.cumQty * record.avgFillPx - tracked.fillCostUsd) / deltaQty;
      events.push({ type: 'fill', clientOrderId: tracked.clientOrderId, qty: deltaQty, px: px > 0 ? px : record.avgFillPx });
    }
    if (tracked.status === 'ended') continue;
    if (record.status === 'rejected') events.push({ type: 'rejected', clientOrderId: tracked.clientOrderId, reason: record.reason ?? 'rejected' });
    else if (record.status === 'canceled') events.push({ type: 'canceled', clientOrderId: tracked.clientOrderId });
  }
  return events;
}

export interface PositionDifference {
  readonly symbol: string;
  readonly journalQty: number;
  readonly venueQty: number;
}

/**
 * Every symbol where the venue's positions and the journal's differ, over the symbols either side
 * holds: venues list only open positions, so a journal position the venue does not show is held
 * at 0 there (a position closed outside Arbiter), and a venue position the journal lacks is held
 * at 0 in the journal (one opened by hand). Symbols in `skip` (orders in flight) are not compared.
 *
 * @example positionDifferences(new Map([['BTC/USDT:USDT', 0.01]]), [], new Set()) // [{ symbol, journalQty: 0.01, venueQty: 0 }]
 */
export function positionDifferences(journal: ReadonlyMap<string, number>, venue: readonly { symbol: string; qty: number }[], skip: ReadonlySet<string>): PositionDifference[] {
  const venueQty = new Map<string, number>();
  for (const position of venue) venueQty.set(position.symbol, (venueQty.get(position.symbol) ?? 0) + position.qty);
  const out: PositionDifference[] = [];
  for (const symbol of new Set([...journal.keys(), ...venueQty.keys()])) {
    if (skip.has(symbol)) continue;
    const ours = journal.get(symbol) ?? 0;
    const theirs = venueQty.get(symbol) ?? 0;
    if (Math.abs(ours - theirs) > EPSILON * Math.max(1, Math.abs(ours), Math.abs(theirs))) out.push({ symbol, journalQty: ours, venueQty: theirs });
  }
  return out;
}
