/**
 * Checks a strategy's order against what the venues accept and puts it on their grid, before the
 * risk engine sees it. Strategy code is untrusted input: everything that would make a venue call
 * throw, or an id impossible to encode, becomes an `invalid_order` (or `unknown_venue`) denial here.
 *
 * Quantities round *down* to the lot step (never trade more than asked) and limit prices toward
 * the passive side (a buy's limit down, a sell's up: never pay more than asked). Every rule the
 * venue states is enforced here, before anything is sent: an order under the minimum quantity is
 * denied `min_qty`, one under the minimum notional `min_notional` (priced at its limit, or at the
 * reference price for a market order). The venue never sees it, so it cannot count against the
 * circuit breaker.
 */
import type { Leg } from '../protocol/index.js';
import { canonicalClientOrderId } from '../trading/orders/client-order-id.js';
import { collarOnTick, roundToStep, type MarketRules } from '../trading/market/lot-size.js';
import { deny, type Denial, type OrderRequest, type ValidRequest } from '../trading/risk/order-checks.js';
import type { TradeVenue } from './venue-port.js';

/** The price execution values a market order at (the book's reference), or null when it has none. */
export type ReferencePx = (venue: string, symbol: string) => number | null;

/** Strategy ids end up in topics and journal keys: keep them plain. */
const STRATEGY_ID = /^[A-Za-z0-9_-]{1,64}$/;

function idDenial(request: OrderRequest): Denial | null {
  if (!STRATEGY_ID.test(request.strategyId)) return deny('invalid_order', 'strategyId', `strategyId must be 1-64 letters, digits, _ or -, got ${JSON.stringify(request.strategyId.slice(0, 80))}`);
  try {
    canonicalClientOrderId({ strategyId: request.strategyId, intentSeq: request.intentSeq, leg: request.legs.length - 1, attempt: 0 });
  } catch (error) {
    return deny('invalid_order', 'intentSeq', (error as Error).message);
  }
  return null;
}

/** Why a leg of `qty` at `px` (null: unpriced, the notional rule is left to the collar's reference check) breaks the market's minimums, or null. */
export function minimumsDenial(leg: Pick<Leg, 'venue' | 'symbol' | 'qty'>, px: number | null, rules: MarketRules, what: string): Denial | null {
  if (!(leg.qty > 0) || leg.qty < rules.minQty) {
    return deny('min_qty', 'qty', `${what}: qty ${leg.qty} is below ${leg.venue}'s minimum quantity ${rules.minQty} for ${leg.symbol} (lot step ${rules.amountStep})`);
  }
  if (px !== null && leg.qty * px < rules.minNotional) {
    return deny('min_notional', 'qty', `${what}: ${leg.qty} × ${px} = ${Number((leg.qty * px).toPrecision(6))} is below ${leg.venue}'s minimum notional ${rules.minNotional} for ${leg.symbol}`);
  }
  return null;
}

function legOnGrid(leg: Leg, index: number, venue: TradeVenue | undefined, referencePx: ReferencePx): Leg | Denial {
  if (!venue) return deny('unknown_venue', 'venues', `leg ${index}: venue ${leg.venue} is not configured`);
  const rules = venue.rules(leg.symbol);
  if (!rules) return deny('invalid_order', 'symbol', `leg ${index}: ${leg.symbol} is not listed on ${leg.venue}`);
  if (leg.orderType === 'market' && leg.timeInForce === 'FOK') return deny('invalid_order', 'timeInForce', `leg ${index}: a market order is IOC by nature; send a limit FOK for fill-or-kill`);
  const qty = roundToStep(leg.qty, rules.amountStep, 'down');
  const limitPx = leg.limitPx === null ? null : collarOnTick(leg.side, leg.limitPx, rules.priceTick);
  if (limitPx !== null && !(limitPx > 0)) return deny('invalid_order', 'limitPx', `leg ${index}: limitPx ${leg.limitPx} rounds to ${limitPx} on tick ${rules.priceTick}`);
  const below = minimumsDenial({ ...leg, qty }, limitPx ?? referencePx(leg.venue, leg.symbol), rules, `leg ${index}`);
  if (below) return below;
  return qty === leg.qty && limitPx === leg.limitPx ? leg : { ...leg, qty, limitPx };
}

/**
 * Legs sent with one quantity (a hedge) that rounding would leave unequal: the hedge would be
 * open by the difference, so the command is refused instead (strategies size on a common step).
 */
function unequalLegs(asked: readonly Leg[], rounded: readonly Leg[]): Denial | null {
  if (asked.length < 2 || asked.some((leg) => leg.qty !== asked[0]!.qty) || rounded.every((leg) => leg.qty === rounded[0]!.qty)) return null;
  const steps = rounded.map((leg) => `${leg.qty} on ${leg.venue}`).join(', ');
  return deny('invalid_order', 'qty', `legs of ${asked[0]!.qty} would be unequal on the venues' lot steps (${steps}): send a quantity on every leg's step`);
}

/**
 * The request on the venues' grid, or why it cannot be sent. It stays valid: rounding keeps qty
 * and limitPx > 0 (or denies) and changes nothing else.
 *
 * @example prepareRequest(valid, venues, (venue, symbol) => book.referencePx(venue, symbol)) // { ...valid, legs: [{ …, qty: 0.012 }] } for qty 0.0123 on a 0.001 step
 */
export function prepareRequest(request: ValidRequest, venues: ReadonlyMap<string, TradeVenue>, referencePx: ReferencePx): ValidRequest | Denial {
  const invalid = idDenial(request);
  if (invalid) return invalid;
  const legs: Leg[] = [];
  for (const [i, leg] of request.legs.entries()) {
    const result = legOnGrid(leg, i, venues.get(leg.venue), referencePx);
    if ('approved' in result) return result;
    legs.push(result);
  }
  return unequalLegs(request.legs, legs) ?? { ...request, legs };
}
