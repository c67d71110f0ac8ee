/**
 * Orders, fills and rejections of the matching engine, venue-neutral. Venue modules translate
 * requests into `OrderRequest` and `Rejection`s into the venue's own error codes and messages.
 */

export type OrderSide = 'buy' | 'sell';
export type OrderType = 'limit' | 'market';
/** GTC rests; IOC and FOK never rest; PO (post-only) is refused if it would take liquidity. */
export type TimeInForce = 'GTC' | 'IOC' | 'FOK' | 'PO';
export type OrderStatus = 'new' | 'partially_filled' | 'filled' | 'canceled' | 'expired';

export interface OrderRequest {
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  /** Base quantity (absent only for a spot market order sized in quote units). */
  readonly quantity?: number;
  /** Quote amount to spend or receive (spot market orders: binance `quoteOrderQty`). */
  readonly quoteQuantity?: number;
  readonly price?: number;
  readonly clientOrderId: string;
  readonly reduceOnly?: boolean;
}

/** Why an order or a query was refused. Venue modules map each to their real error. */
export type RejectReason =
  | 'unknown_symbol'
  | 'invalid_parameter'
  | 'price_tick'
  | 'quantity_step'
  | 'quantity_range'
  | 'min_notional'
  | 'insufficient_balance'
  | 'insufficient_margin'
  | 'would_take'
  | 'fok_unfillable'
  | 'reduce_only'
  | 'duplicate_client_order_id'
  | 'no_liquidity'
  | 'injected'
  | 'unknown_order';

export interface Rejection {
  readonly reason: RejectReason;
  readonly detail: string;
}

export interface SimFill {
  readonly venue: string;
  readonly tradeId: number;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly price: number;
  readonly quantity: number;
  readonly fee: number;
  readonly feeAsset: string;
  readonly liquidity: 'maker' | 'taker';
  /** Realized PnL of a perp fill that reduced a position (0 otherwise), before fees. */
  readonly realizedPnl: number;
  readonly timeMs: number;
}

export interface SimOrder {
  readonly venue: string;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly price: number | undefined;
  /** Base quantity ordered (for a quote-sized market order: what was filled). */
  quantity: number;
  readonly quoteQuantity: number | undefined;
  readonly reduceOnly: boolean;
  filledQuantity: number;
  /** Σ price × quantity of fills, in quote units. */
  filledQuote: number;
  status: OrderStatus;
  readonly createdMs: number;
  updatedMs: number;
  readonly fills: SimFill[];
  /** Quote (buy) or base (sell) still locked for the unfilled part of a resting spot order. */
  locked: number;
}

export type PlaceResult = { readonly ok: true; readonly order: SimOrder } | { readonly ok: false; readonly rejection: Rejection };
export type OrderResult = PlaceResult;

export function isOpen(order: SimOrder): boolean {
  return order.status === 'new' || order.status === 'partially_filled';
}

export function remaining(order: SimOrder): number {
  return Math.max(0, order.quantity - order.filledQuantity);
}
