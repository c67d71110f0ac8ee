/**
 * What a ccxt error means for an order: did the request take effect, certainly not, or maybe?
 *
 * - `OrderNotFound` → `not_found`.
 * - `DuplicateOrderId` → `ambiguous`: the venue already holds an order with our client id, so a
 *   request did arrive; a lookup tells what became of it.
 * - `InvalidNonce` (binance -1021, timestamp outside recvWindow) → `rejected`: the venue refused
 *   the request before looking at it, although ccxt files it under NetworkError.
 * - `RateLimitExceeded` / `DDoSProtection` → `rate_limited`: binance documents 429/418 as refused
 *   requests (not executed).
 * - Any other `NetworkError` (timeouts, dropped connections, `ExchangeNotAvailable` for 5xx, which
 *   binance documents as "execution status UNKNOWN"), `BadResponse`, `CancelPending` and anything
 *   that is not a ccxt error at all → `ambiguous`.
 * - Every other `ExchangeError` (insufficient funds, invalid order, bad symbol, auth …) → `rejected`.
 */
import type { CcxtErrorClasses } from '../ccxt-loader.js';
import { VenueFailure, type VenueFailureKind } from '../../execution/venue-port.js';

const MAX_MESSAGE = 240;

function kindOf(error: unknown, classes: CcxtErrorClasses): VenueFailureKind {
  if (error instanceof classes.OrderNotFound) return 'not_found';
  if (error instanceof classes.DuplicateOrderId) return 'ambiguous';
  if (error instanceof classes.InvalidNonce) return 'rejected';
  if (error instanceof classes.RateLimitExceeded || error instanceof classes.DDoSProtection) return 'rate_limited';
  if (error instanceof classes.NetworkError || error instanceof classes.BadResponse) return 'ambiguous';
  if (error instanceof classes.ExchangeError) return 'rejected';
  return 'ambiguous';
}

/** A `VenueFailure` for any thrown value, with the ccxt class name as its code. */
export function classifyCcxtError(error: unknown, classes: CcxtErrorClasses, what: string): VenueFailure {
  if (error instanceof VenueFailure) return error;
  const kind = kindOf(error, classes);
  const code = error instanceof Error ? error.constructor.name : 'unknown';
  const text = error instanceof Error ? error.message : String(error);
  const message = `${what}: ${text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text}`;
  return new VenueFailure(kind, code, message, { cause: error });
}
