/**
 * Static checks of an order against the instrument's filters (what venues call PRICE_FILTER,
 * LOT_SIZE, NOTIONAL): run before any balance or book is touched.
 */
import type { InstrumentSpec } from '../types.js';
import type { OrderRequest, Rejection } from './types.js';

/** True when `value` is an integer multiple of `step` (tolerant of binary float noise). */
function isMultipleOf(value: number, step: number): boolean {
  const ratio = value / step;
  return Math.abs(ratio - Math.round(ratio)) < 1e-7;
}

function reject(reason: Rejection['reason'], detail: string): Rejection {
  return { reason, detail };
}

function checkPrice(request: OrderRequest, instrument: InstrumentSpec): Rejection | undefined {
  if (request.type === 'market') return undefined;
  const price = request.price;
  if (price === undefined || !Number.isFinite(price) || price <= 0) return reject('invalid_parameter', 'price must be a positive number');
  if (!isMultipleOf(price, instrument.tickSize)) return reject('price_tick', `price ${price} is not a multiple of tick ${instrument.tickSize}`);
  return undefined;
}

function checkQuantity(request: OrderRequest, instrument: InstrumentSpec): Rejection | undefined {
  const quantity = request.quantity;
  if (quantity === undefined) {
    const quoteSized = request.type === 'market' && instrument.kind === 'spot' && request.quoteQuantity !== undefined;
    if (!quoteSized) return reject('invalid_parameter', 'quantity is required');
    const quote = request.quoteQuantity as number;
    return Number.isFinite(quote) && quote > 0 ? undefined : reject('invalid_parameter', 'quote quantity must be positive');
  }
  if (!Number.isFinite(quantity) || quantity <= 0) return reject('invalid_parameter', 'quantity must be a positive number');
  if (!isMultipleOf(quantity, instrument.stepSize)) {
    return reject('quantity_step', `quantity ${quantity} is not a multiple of step ${instrument.stepSize}`);
  }
  if (quantity < instrument.minQty - 1e-12 || quantity > instrument.maxQty + 1e-12) {
    return reject('quantity_range', `quantity ${quantity} outside [${instrument.minQty}, ${instrument.maxQty}]`);
  }
  return undefined;
}

/**
 * Checks price, quantity and notional. `referencePrice` values market orders (venues use the
 * average or mark price for their minimum-notional check on market orders).
 */
export function validateOrder(request: OrderRequest, instrument: InstrumentSpec, referencePrice: number): Rejection | undefined {
  const problem = checkPrice(request, instrument) ?? checkQuantity(request, instrument);
  if (problem) return problem;
  const price = request.type === 'limit' ? (request.price as number) : referencePrice;
  const notional = request.quantity !== undefined ? request.quantity * price : (request.quoteQuantity ?? 0);
  if (notional + 1e-9 < instrument.minNotional && !request.reduceOnly) {
    return reject('min_notional', `notional ${notional.toFixed(8)} below minimum ${instrument.minNotional}`);
  }
  return undefined;
}
