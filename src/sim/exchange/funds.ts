/**
 * Funds checks: spot orders need the asset they pay with (a resting limit order locks it),
 * perp orders need initial margin for the exposure they add (cross margin: wallet balance plus
 * unrealized PnL, minus the margin of positions and open orders).
 */
import type { InstrumentMarket, VenueMarket } from '../market/venue-market.js';
import type { InstrumentSpec } from '../types.js';
import type { Account } from './account.js';
import { baseForQuote, costOf } from './match.js';
import { remaining, type OrderRequest, type Rejection, type SimOrder } from './types.js';

const TOLERANCE = 1e-9;

function spotNeed(market: InstrumentMarket, request: OrderRequest): { asset: string; amount: number } {
  const { spec, book } = market;
  if (request.side === 'sell') {
    if (request.quantity !== undefined) return { asset: spec.base, amount: request.quantity };
    // A market sell sized in quote: the base it will take to raise that much from the bids.
    return { asset: spec.base, amount: baseForQuote(book, request.quoteQuantity ?? 0, spec.tickSize) ?? Number.POSITIVE_INFINITY };
  }
  if (request.type === 'limit') return { asset: spec.quote, amount: (request.price ?? 0) * (request.quantity ?? 0) };
  if (request.quantity === undefined) return { asset: spec.quote, amount: request.quoteQuantity ?? 0 };
  const best = book.bestAsk();
  const cost = costOf(book, 'buy', request.quantity, spec.tickSize) ?? (best ? best[0] * spec.tickSize * request.quantity : 0);
  return { asset: spec.quote, amount: cost };
}

/** Exposure (base units) an order adds to the net position, and whether it adds any. */
function addedExposure(positionQuantity: number, side: OrderRequest['side'], quantity: number): number {
  const signed = side === 'buy' ? quantity : -quantity;
  return Math.max(0, Math.abs(positionQuantity + signed) - Math.abs(positionQuantity));
}

/** Free margin in the settle asset: wallet + unrealized PnL − margin held by positions and open orders. */
export function availableMargin(account: Account, settle: string, venue: VenueMarket, openOrders: readonly SimOrder[]): number {
  let available = account.balance(settle).free;
  for (const position of account.positions.values()) {
    const spec = venue.get(position.symbol)?.spec;
    if (!spec || (spec.settle ?? spec.quote) !== settle || position.quantity === 0) continue;
    const mark = venue.markPrice(position.symbol);
    available += (mark - position.entryPrice) * position.quantity;
    available -= (Math.abs(position.quantity) * mark) / account.leverageOf(position.symbol);
  }
  for (const order of openOrders) {
    const spec = venue.get(order.symbol)?.spec;
    if (!spec || spec.kind !== 'perp' || (spec.settle ?? spec.quote) !== settle) continue;
    available -= (remaining(order) * (order.price ?? 0)) / account.leverageOf(order.symbol);
  }
  return available;
}

function perpCheck(account: Account, market: InstrumentMarket, request: OrderRequest, openOrders: readonly SimOrder[], venue: VenueMarket): Rejection | undefined {
  const { spec } = market;
  const quantity = request.quantity ?? 0;
  const positionQuantity = account.positions.get(spec.symbol)?.quantity ?? 0;
  const added = addedExposure(positionQuantity, request.side, quantity);
  if (request.reduceOnly && added > 0) return { reason: 'reduce_only', detail: 'reduce-only order would increase the position' };
  const price = request.type === 'limit' ? (request.price ?? 0) : venue.markPrice(spec.symbol);
  const required = (added * price) / account.leverageOf(spec.symbol) + quantity * price * (spec.fees ?? venue.venue.fees).takerRate;
  const available = availableMargin(account, spec.settle ?? spec.quote, venue, openOrders);
  if (added > 0 && required > available + TOLERANCE) {
    return { reason: 'insufficient_margin', detail: `needs ${required.toFixed(4)} margin, ${available.toFixed(4)} available` };
  }
  return undefined;
}

/** Refuses an order the account cannot fund. */
export function checkFunds(
  account: Account,
  market: InstrumentMarket,
  request: OrderRequest,
  openOrders: readonly SimOrder[],
  venue: VenueMarket,
): Rejection | undefined {
  if (market.spec.kind === 'perp') return perpCheck(account, market, request, openOrders, venue);
  const need = spotNeed(market, request);
  const free = account.balance(need.asset).free;
  if (need.amount > free + TOLERANCE) {
    return { reason: 'insufficient_balance', detail: `needs ${need.amount} ${need.asset}, ${free} free` };
  }
  return undefined;
}

/** Locks what a new spot limit order pays with; perps lock nothing (margin is computed). Returns the amount. */
export function lockFor(account: Account, spec: InstrumentSpec, order: SimOrder): number {
  if (spec.kind !== 'spot' || order.price === undefined) return 0;
  const amount = order.side === 'buy' ? order.price * order.quantity : order.quantity;
  account.lock(order.side === 'buy' ? spec.quote : spec.base, amount);
  return amount;
}
