/**
 * Bybit v5 orders: `/v5/order/create`, `/v5/order/cancel`, `/v5/order/cancel-all`,
 * `/v5/order/realtime` (open orders; by `orderId` / `orderLinkId` also a recent finished one,
 * which is what ccxt's fetchOrder relies on) and `/v5/order/history` (finished orders).
 *
 * Create and cancel answer only `{orderId, orderLinkId}`, as bybit does: ccxt's createOrder
 * result carries no status, a client reads it back. Rejections carry the category's real
 * codes (spot 170xxx, linear 110xxx / 10001), which ccxt maps to InsufficientFunds,
 * InvalidOrder, OrderNotFound, BadRequest.
 */
import type { OrderRequest, Rejection, RejectReason, SimOrder, TimeInForce } from '../exchange/types.js';
import { isOpen } from '../exchange/types.js';
import type { OrderRef } from '../exchange/venue-exchange.js';
import type { InstrumentSpec } from '../types.js';
import type { VenueContext, VenueRequest } from '../venue.js';
import { priceText, qtyText } from './bybit-format.js';
import {
  authenticate,
  bybitId,
  BybitError,
  categoryOf,
  categoryParam,
  decimalParam,
  paramsOf,
  required,
  type BybitCategory,
  type BybitSymbols,
} from './bybit-http.js';
import { clampLimit } from './wire.js';

type ErrorSpec = readonly [code: number, message: string];

const COMMON: Pick<Record<RejectReason, ErrorSpec>, 'unknown_symbol' | 'invalid_parameter'> = {
  unknown_symbol: [10001, 'params error: symbol invalid'],
  invalid_parameter: [10001, 'params error: qty invalid'],
};

const SPOT_ERRORS: Record<RejectReason, ErrorSpec> = {
  ...COMMON,
  price_tick: [170134, 'Order price decimal too long.'],
  quantity_step: [170137, 'Order volume decimal too long.'],
  quantity_range: [170136, 'Order quantity lower than the minimum.'],
  min_notional: [170140, 'Order value exceeded lower limit.'],
  insufficient_balance: [170131, 'Insufficient balance.'],
  insufficient_margin: [170131, 'Insufficient balance.'],
  would_take: [170218, 'The LIMIT-MAKER order is rejected due to invalid price.'],
  fok_unfillable: [170210, 'New order rejected.'],
  reduce_only: [170210, 'New order rejected.'],
  duplicate_client_order_id: [170141, 'Duplicate clientOrderId.'],
  no_liquidity: [170210, 'New order rejected.'],
  injected: [170210, 'New order rejected.'],
  unknown_order: [170213, 'Order does not exist.'],
};

const LINEAR_ERRORS: Record<RejectReason, ErrorSpec> = {
  ...COMMON,
  price_tick: [10001, 'params error: price invalid'],
  quantity_step: [10001, 'params error: Qty invalid'],
  quantity_range: [10001, 'The number of contracts exceeds minimum limit allowed'],
  min_notional: [110094, 'Order does not meet minimum order value 5USDT'],
  insufficient_balance: [110007, 'ab not enough for new order'],
  insufficient_margin: [110007, 'ab not enough for new order'],
  would_take: [110032, 'Illegal order'],
  fok_unfillable: [110032, 'Illegal order'],
  reduce_only: [110017, 'Reduce-only rule not satisfied'],
  duplicate_client_order_id: [110072, 'OrderLinkedID is duplicate'],
  no_liquidity: [110032, 'Illegal order'],
  injected: [110032, 'Illegal order'],
  unknown_order: [110001, 'order not exists or too late to cancel'],
};

function rejectionError(category: BybitCategory, rejection: Rejection, spec: InstrumentSpec, quantity: number | undefined): BybitError {
  if (rejection.reason === 'quantity_range' && quantity !== undefined && quantity > spec.maxQty) {
    return category === 'spot' ? new BybitError(170135, 'Order quantity too large.') : new BybitError(10001, 'The number of contracts exceeds maximum limit allowed: too large');
  }
  const [code, message] = (category === 'spot' ? SPOT_ERRORS : LINEAR_ERRORS)[rejection.reason];
  return new BybitError(code, message);
}

const ORDER_LINK_ID = /^[A-Za-z0-9_-]{1,36}$/;
const TIME_IN_FORCE: Record<string, TimeInForce> = { GTC: 'GTC', IOC: 'IOC', FOK: 'FOK', PostOnly: 'PO' };

function oneOf<T extends string>(params: Map<string, string>, name: string, allowed: readonly T[]): T {
  const value = required(params, name);
  if (!(allowed as readonly string[]).includes(value)) throw new BybitError(10001, `params error: ${name} invalid`);
  return value as T;
}

/** Reads `/v5/order/create` parameters into an engine request. */
function parseNewOrder(params: Map<string, string>, spec: InstrumentSpec): OrderRequest {
  const side = oneOf(params, 'side', ['Buy', 'Sell'] as const) === 'Buy' ? 'buy' : 'sell';
  const orderType = oneOf(params, 'orderType', ['Limit', 'Market'] as const);
  const qty = decimalParam(params, 'qty');
  if (qty === undefined) throw new BybitError(10001, 'params error: qty is required');
  const clientOrderId = params.get('orderLinkId') ?? '';
  if (clientOrderId !== '' && !ORDER_LINK_ID.test(clientOrderId)) throw new BybitError(10001, 'params error: orderLinkId invalid');
  const base = { symbol: spec.symbol, side, clientOrderId, reduceOnly: params.get('reduceOnly') === 'true' } as const;
  if (orderType === 'Market') {
    // Spot market orders are sized in quote by default when buying (`marketUnit` overrides).
    const unit = params.get('marketUnit') ?? (side === 'buy' ? 'quoteCoin' : 'baseCoin');
    const inQuote = spec.kind === 'spot' && unit === 'quoteCoin';
    return { ...base, type: 'market', timeInForce: 'IOC', quantity: inQuote ? undefined : qty, quoteQuantity: inQuote ? qty : undefined };
  }
  const price = decimalParam(params, 'price');
  if (price === undefined) throw new BybitError(10001, 'params error: price is required');
  const timeInForce = TIME_IN_FORCE[params.get('timeInForce') ?? 'GTC'];
  if (!timeInForce) throw new BybitError(10001, 'params error: timeInForce invalid');
  return { ...base, type: 'limit', timeInForce, quantity: qty, price };
}

function statusText(order: SimOrder, category: BybitCategory): string {
  switch (order.status) {
    case 'new':
      return 'New';
    case 'partially_filled':
      return 'PartiallyFilled';
    case 'filled':
      return 'Filled';
    default:
      // "PartiallyFilledCanceled" exists on spot only; linear reports "Cancelled" either way.
      return category === 'spot' && order.filledQuantity > 0 ? 'PartiallyFilledCanceled' : 'Cancelled';
  }
}

function feeDetail(order: SimOrder): { total: number; detail: Record<string, string> } {
  const detail: Record<string, number> = {};
  for (const fill of order.fills) detail[fill.feeAsset] = (detail[fill.feeAsset] ?? 0) + fill.fee;
  const total = Object.values(detail).reduce((sum, fee) => sum + fee, 0);
  return { total, detail: Object.fromEntries(Object.entries(detail).map(([asset, fee]) => [asset, fee.toFixed(8)])) };
}

/** An order as `/v5/order/realtime` and `/v5/order/history` list it. */
function orderJson(order: SimOrder, spec: InstrumentSpec): Record<string, unknown> {
  const category = categoryOf(spec);
  const quoteSized = order.type === 'market' && order.quoteQuantity !== undefined;
  const remaining = isOpen(order) ? Math.max(0, order.quantity - order.filledQuantity) : 0;
  const fees = feeDetail(order);
  const average = order.filledQuantity > 0 ? order.filledQuote / order.filledQuantity : 0;
  return {
    orderId: String(order.orderId),
    orderLinkId: order.clientOrderId,
    blockTradeId: '',
    symbol: bybitId(spec),
    price: order.price === undefined ? '0' : priceText(spec, order.price),
    qty: quoteSized ? (order.quoteQuantity as number).toFixed(8) : qtyText(spec, order.quantity),
    side: order.side === 'buy' ? 'Buy' : 'Sell',
    isLeverage: category === 'spot' ? '0' : '',
    positionIdx: 0,
    orderStatus: statusText(order, category),
    createType: 'CreateByUser',
    cancelType: order.status === 'canceled' ? 'CancelByUser' : 'UNKNOWN',
    rejectReason: 'EC_NoError',
    avgPrice: average > 0 ? priceText(spec, average) : '',
    leavesQty: qtyText(spec, remaining),
    leavesValue: (remaining * (order.price ?? 0)).toFixed(8),
    cumExecQty: qtyText(spec, order.filledQuantity),
    cumExecValue: order.filledQuote.toFixed(8),
    cumExecFee: fees.total.toFixed(8),
    cumFeeDetail: fees.detail,
    timeInForce: order.timeInForce === 'PO' ? 'PostOnly' : order.timeInForce,
    orderType: order.type === 'limit' ? 'Limit' : 'Market',
    stopOrderType: '',
    orderIv: '',
    ...(category === 'spot' ? { marketUnit: order.type === 'market' ? (quoteSized ? 'quoteCoin' : 'baseCoin') : '' } : { tpslMode: 'UNKNOWN' }),
    triggerPrice: '0',
    takeProfit: '0',
    stopLoss: '0',
    tpTriggerBy: '',
    slTriggerBy: '',
    triggerDirection: 0,
    triggerBy: '',
    lastPriceOnCreated: '',
    reduceOnly: order.reduceOnly,
    closeOnTrigger: false,
    placeType: '',
    smpType: 'None',
    smpGroup: 0,
    smpOrderId: '',
    createdTime: String(order.createdMs),
    updatedTime: String(order.updatedMs),
  };
}

/** Finished orders bybit still lists (it keeps the recent 500). */
const RECENT_FINISHED = 500;

export class BybitOrderApi {
  constructor(
    private readonly context: VenueContext,
    private readonly symbols: BybitSymbols,
  ) {}

  private signed(request: VenueRequest): { apiKey: string; params: Map<string, string> } {
    return { apiKey: authenticate(request, this.context.credentials, this.context.clock), params: paramsOf(request) };
  }

  create(request: VenueRequest): unknown {
    const { apiKey, params } = this.signed(request);
    const category = categoryParam(params);
    const spec = this.symbols.require(category, required(params, 'symbol'));
    const order = parseNewOrder(params, spec);
    const result = this.context.engine.place(apiKey, order);
    if (!result.ok) throw rejectionError(category, result.rejection, spec, order.quantity);
    return { orderId: String(result.order.orderId), orderLinkId: result.order.clientOrderId };
  }

  cancel(request: VenueRequest): unknown {
    const { apiKey, params } = this.signed(request);
    const category = categoryParam(params);
    const spec = this.symbols.require(category, required(params, 'symbol'));
    const orderId = params.get('orderId');
    const orderLinkId = params.get('orderLinkId');
    let ref: OrderRef;
    if (orderId) ref = { orderId: Number(orderId) };
    else if (orderLinkId) ref = { clientOrderId: orderLinkId };
    else throw new BybitError(10001, 'params error: orderId or orderLinkId is required');
    const result = this.context.engine.cancel(apiKey, spec.symbol, ref);
    if (!result.ok) throw rejectionError(category, result.rejection, spec, undefined);
    return { orderId: String(result.order.orderId), orderLinkId: result.order.clientOrderId };
  }

  cancelAll(request: VenueRequest): unknown {
    const { apiKey, params } = this.signed(request);
    const category = categoryParam(params);
    const symbol = params.get('symbol');
    const specs = symbol ? [this.symbols.require(category, symbol)] : this.symbols.inCategory(category);
    const list = specs
      .flatMap((spec) => this.context.engine.openOrders(apiKey, spec.symbol))
      .map((order) => this.context.engine.cancel(apiKey, order.symbol, { orderId: order.orderId }))
      .flatMap((result) => (result.ok ? [{ orderId: String(result.order.orderId), orderLinkId: result.order.clientOrderId }] : []));
    return { list, success: '1' };
  }

  /** The account's orders in one category, newest first, narrowed by symbol / orderId / orderLinkId. */
  private query(apiKey: string, params: Map<string, string>): { category: BybitCategory; orders: SimOrder[] } {
    const category = categoryParam(params);
    const symbol = params.get('symbol');
    const only = symbol ? this.symbols.require(category, symbol).symbol : undefined;
    const orderId = params.get('orderId');
    const orderLinkId = params.get('orderLinkId');
    const orders = this.context.engine
      .ordersOf(apiKey, only)
      .filter((order) => categoryOf(this.symbols.ofSymbol(order.symbol)) === category)
      .filter((order) => (!orderId || String(order.orderId) === orderId) && (!orderLinkId || order.clientOrderId === orderLinkId))
      .reverse();
    return { category, orders };
  }

  private page(category: BybitCategory, orders: SimOrder[], params: Map<string, string>): unknown {
    const limit = clampLimit(params.get('limit') ?? null, 20, 50);
    return { category, list: orders.slice(0, limit).map((order) => orderJson(order, this.symbols.ofSymbol(order.symbol))), nextPageCursor: '' };
  }

  /** Open orders; by id also a recently finished one; `openOnly=1` the recent finished ones. */
  realtime(request: VenueRequest): unknown {
    const { apiKey, params } = this.signed(request);
    const { category, orders } = this.query(apiKey, params);
    const byId = Boolean(params.get('orderId') || params.get('orderLinkId'));
    const finished = orders.filter((order) => !isOpen(order)).slice(0, RECENT_FINISHED);
    const listed = byId ? orders.filter((order) => isOpen(order) || finished.includes(order)) : params.get('openOnly') === '1' ? finished : orders.filter(isOpen);
    return this.page(category, listed, params);
  }

  history(request: VenueRequest): unknown {
    const { apiKey, params } = this.signed(request);
    const { category, orders } = this.query(apiKey, params);
    return this.page(category, orders.filter((order) => !isOpen(order)), params);
  }
}
