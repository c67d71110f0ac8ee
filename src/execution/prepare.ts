/**
 * Checks a strategy's order against what the venues accept and puts it on their grid, before the
 * risk engine sees it. Strategy code is untrusted input: everything that would make a venue call
 * throw, or an id impossible to encode, becomes an `invalid_order` (or `unknown_venue`) denial here.
 *
 * Quantities round *down* to the lot step (never trade more than asked) and limit prices toward
 * the passive side (a buy's limit down, a sell's up: never pay more than asked).
 */
import type { Leg } from '../protocol/index.js';
import { canonicalClientOrderId } from '../trading/orders/client-order-id.js';
import { collarOnTick, roundToStep } from '../trading/market/lot-size.js';
import { deny, type Denial, type OrderRequest, type ValidRequest } from '../trading/risk/order-checks.js';
import type { TradeVenue } from './venue-port.js';

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

function legOnGrid(leg: Leg, index: number, venue: TradeVenue | undefined): Leg | Denial {
  if (!venue) return deny('unknown_venue', 'venues', `leg ${index}: venue ${leg.venue} is not configured`);
  const rules = venue.rules(leg.symbol);
  if (!rules) return deny('invalid_order', 'symbol', `leg ${index}: ${leg.symbol} is not listed on ${leg.venue}`);
  if (leg.orderType === 'market' && leg.timeInForce === 'FOK') return deny('invalid_order', 'timeInForce', `leg ${index}: a market order is IOC by nature; send a limit FOK for fill-or-kill`);
  const qty = roundToStep(leg.qty, rules.amountStep, 'down');
  if (!(qty > 0) || qty < rules.minQty) {
    return deny('invalid_order', 'qty', `leg ${index}: qty ${leg.qty} is below ${leg.venue}'s minimum ${rules.minQty} for ${leg.symbol} (lot step ${rules.amountStep})`);
  }
  const limitPx = leg.limitPx === null ? null : collarOnTick(leg.side, leg.limitPx, rules.priceTick);
  if (limitPx !== null && !(limitPx > 0)) return deny('invalid_order', 'limitPx', `leg ${index}: limitPx ${leg.limitPx} rounds to ${limitPx} on tick ${rules.priceTick}`);
  return qty === leg.qty && limitPx === leg.limitPx ? leg : { ...leg, qty, limitPx };
}

/**
 * The request on the venues' grid, or why it cannot be sent. It stays valid: rounding keeps qty
 * and limitPx > 0 (or denies) and changes nothing else.
 *
 * @example prepareRequest(valid, venues) // { ...valid, legs: [{ …, qty: 0.012 }] } for qty 0.0123 on a 0.001 step
 */
export function prepareRequest(request: ValidRequest, venues: ReadonlyMap<string, TradeVenue>): ValidRequest | Denial {
  const invalid = idDenial(request);
  if (invalid) return invalid;
  const legs: Leg[] = [];
  for (const [i, leg] of request.legs.entries()) {
    const result = legOnGrid(leg, i, venues.get(leg.venue));
    if ('approved' in result) return result;
    legs.push(result);
  }
  return { ...request, legs };
}
