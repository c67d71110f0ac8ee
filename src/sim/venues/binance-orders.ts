/**
 * Binance order endpoints, shared by spot (`/api/v3/…`) and USDⓈ-M (`/fapi/v1/…`): create,
 * query, cancel, open orders, cancel-all, order history and account trades. Requests are
 * translated into the engine's venue-neutral `OrderRequest`; engine rejections come back as
 * the codes and messages binance uses for each market (ccxt maps them by code or message).
 */
import { randomBytes } from 'node:crypto';
import type { OrderRequest, OrderSide, Rejection, RejectReason, SimOrder, TimeInForce } from '../exchange/types.js';
import type { OrderRef } from '../exchange/venue-exchange.js';
import type { InstrumentSpec } from '../types.js';
import type { VenueContext, VenueRequest } from '../venue.js';
import { accountTradeJson, binanceId, futuresOrderJson, spotFillJson, spotOrderJson, type BinanceFlavor, type BinanceSymbols } from './binance-format.js';
import { allParams, authenticate, BinanceError, decimal, integer, mandatory } from './binance-http.js';

type ErrorSpec = readonly [code: number, message: string];

const SPOT_ERRORS: Record<RejectReason, ErrorSpec> = {
  unknown_symbol: [-1121, 'Invalid symbol.'],
  invalid_parameter: [-1013, 'Invalid quantity.'],
  price_tick: [-1013, 'Filter failure: PRICE_FILTER'],
  quantity_step: [-1013, 'Filter failure: LOT_SIZE'],
  quantity_range: [-1013, 'Filter failure: LOT_SIZE'],
  min_notional: [-1013, 'Filter failure: NOTIONAL'],
  insufficient_balance: [-2010, 'Account has insufficient balance for requested action.'],
  insufficient_margin: [-2010, 'Account has insufficient balance for requested action.'],
  would_take: [-2010, 'Order would immediately match and take.'],
  fok_unfillable: [-2010, 'Order would not be filled in full.'],
  reduce_only: [-2010, 'New order rejected.'],
  duplicate_client_order_id: [-2010, 'Duplicate order sent.'],
  no_liquidity: [-2010, 'New order rejected.'],
  injected: [-2010, 'New order rejected.'],
  unknown_order: [-2013, 'Order does not exist.'],
};

const USDM_ERRORS: Record<RejectReason, ErrorSpec> = {
  unknown_symbol: [-1121, 'Invalid symbol.'],
  invalid_parameter: [-4003, 'Quantity less than or equal to zero.'],
  price_tick: [-4014, 'Price not increased by tick size.'],
  quantity_step: [-1111, 'Precision is over the maximum defined for this asset.'],
  quantity_range: [-4005, 'Quantity greater than max quantity.'],
  min_notional: [-4164, "Order's notional must be no smaller than 5 (unless you choose reduce only)."],
  insufficient_balance: [-2019, 'Margin is insufficient.'],
  insufficient_margin: [-2019, 'Margin is insufficient.'],
  would_take: [-5022, 'Due to the order could not be executed as maker, the Post Only order will be rejected. The order will not be recorded in the order history'],
  fok_unfillable: [-5021, 'Due to the order could not be filled immediately, the FOK order has been rejected. The order will not be recorded in the order history'],
  reduce_only: [-2022, 'ReduceOnly Order is rejected.'],
  duplicate_client_order_id: [-4116, 'ClientOrderId is duplicated.'],
  no_liquidity: [-2010, 'NEW_ORDER_REJECTED'],
  injected: [-2010, 'NEW_ORDER_REJECTED'],
  unknown_order: [-2013, 'Order does not exist.'],
};

function rejectionError(flavor: BinanceFlavor, rejection: Rejection, spec?: InstrumentSpec): BinanceError {
  const [code, message] = (flavor === 'spot' ? SPOT_ERRORS : USDM_ERRORS)[rejection.reason];
  if (flavor === 'usdm' && rejection.reason === 'min_notional' && spec) {
    return new BinanceError(code, `Order's notional must be no smaller than ${spec.minNotional} (unless you choose reduce only).`);
  }
  return new BinanceError(code, message);
}

const CLIENT_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;

/** Binance generates 22 url-safe characters when the client sends no id. */
function generatedClientId(): string {
  return randomBytes(16).toString('base64url').slice(0, 22);
}

function clientOrderId(flavor: BinanceFlavor, params: URLSearchParams): string {
  const given = params.get('newClientOrderId');
  if (given === null || given === '') return generatedClientId();
  if (!CLIENT_ID.test(given)) {
    if (flavor === 'usdm') throw new BinanceError(-4015, 'Client order id is not valid.');
    throw new BinanceError(-1100, "Illegal characters found in parameter 'newClientOrderId'; legal range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'.");
  }
  return given;
}

function parseSide(params: URLSearchParams): OrderSide {
  const side = mandatory(params, 'side');
  if (side !== 'BUY' && side !== 'SELL') throw new BinanceError(-1117, 'Invalid side.');
  return side === 'BUY' ? 'buy' : 'sell';
}

function parseTimeInForce(flavor: BinanceFlavor, params: URLSearchParams): TimeInForce {
  const value = params.get('timeInForce');
  if (value === null || value === '') throw new BinanceError(-1102, "Mandatory parameter 'timeInForce' was not sent, was empty/null, or malformed.");
  if (value === 'GTC' || value === 'IOC' || value === 'FOK') return value;
  if (value === 'GTX' && flavor === 'usdm') return 'PO';
  throw new BinanceError(-1115, 'Invalid timeInForce.');
}

/** Reads a new-order request the way binance validates it. */
function parseNewOrder(flavor: BinanceFlavor, params: URLSearchParams, symbols: BinanceSymbols): OrderRequest {
  const spec = symbols.require(mandatory(params, 'symbol'));
  const side = parseSide(params);
  const type = mandatory(params, 'type');
  const quantity = decimal(params, 'quantity');
  const base = { symbol: spec.symbol, side, clientOrderId: clientOrderId(flavor, params), reduceOnly: params.get('reduceOnly') === 'true' };
  if (type === 'MARKET') {
    const quoteQuantity = flavor === 'spot' ? decimal(params, 'quoteOrderQty') : undefined;
    if (quantity === undefined && quoteQuantity === undefined) {
      throw new BinanceError(-1102, "Param 'quantity' or 'quoteOrderQty' must be sent, but both were empty/null!");
    }
    return { ...base, type: 'market', timeInForce: 'IOC', quantity, quoteQuantity };
  }
  if (type !== 'LIMIT' && !(type === 'LIMIT_MAKER' && flavor === 'spot')) throw new BinanceError(-1116, 'Invalid orderType.');
  const price = decimal(params, 'price');
  if (price === undefined) throw new BinanceError(-1102, "Mandatory parameter 'price' was not sent, was empty/null, or malformed.");
  if (quantity === undefined) throw new BinanceError(-1102, "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed.");
  const timeInForce = type === 'LIMIT_MAKER' ? 'PO' : parseTimeInForce(flavor, params);
  return { ...base, type: 'limit', timeInForce, quantity, price };
}

/** Formats an order for this flavor; spot FULL responses carry the fills. */
function orderJson(flavor: BinanceFlavor, order: SimOrder, spec: InstrumentSpec, full = false): Record<string, unknown> {
  if (flavor === 'usdm') return futuresOrderJson(order, spec);
  const json = spotOrderJson(order, spec);
  return full ? { ...json, transactTime: order.updatedMs, fills: order.fills.map((fill) => spotFillJson(fill, spec)) } : json;
}

function orderRef(params: URLSearchParams, idParam: string): OrderRef {
  const orderId = integer(params, 'orderId');
  if (orderId !== undefined) return { orderId };
  const clientId = params.get(idParam);
  if (clientId !== null && clientId !== '') return { clientOrderId: clientId };
  throw new BinanceError(-1102, `Param '${idParam}' or 'orderId' must be sent, but both were empty/null!`);
}

/** Order endpoint handlers, bound to one venue. */
export class BinanceOrderApi {
  constructor(
    private readonly flavor: BinanceFlavor,
    private readonly context: VenueContext,
    private readonly symbols: BinanceSymbols,
  ) {}

  private signed(request: VenueRequest): { apiKey: string; params: URLSearchParams } {
    return { apiKey: authenticate(request, this.context.credentials, this.context.clock), params: allParams(request) };
  }

  create(request: VenueRequest): unknown {
    const { apiKey, params } = this.signed(request);
    const order = parseNewOrder(this.flavor, params, this.symbols);
    const result = this.context.engine.place(apiKey, order);
    const spec = this.symbols.require(mandatory(params, 'symbol'));
    if (!result.ok) throw rejectionError(this.flavor, result.rejection, spec);
    const respType = params.get('newOrderRespType') ?? (this.flavor === 'spot' ? 'FULL' : 'ACK');
    const placed = result.order;
    if (respType === 'ACK' && this.flavor === 'spot') {
      return { symbol: binanceId(spec), orderId: placed.orderId, orderListId: -1, clientOrderId: placed.clientOrderId, transactTime: placed.createdMs };
    }
    return orderJson(this.flavor, placed, spec, respType === 'FULL');
  }

  get(request: VenueRequest): unknown {
    const { apiKey, params } = this.signed(request);
    const spec = this.symbols.require(mandatory(params, 'symbol'));
    const order = this.context.engine.find(apiKey, spec.symbol, orderRef(params, 'origClientOrderId'));
    if (!order) throw new BinanceError(-2013, 'Order does not exist.');
    return orderJson(this.flavor, order, spec);
  }

  cancel(request: VenueRequest): unknown {
    const { apiKey, params } = this.signed(request);
    const spec = this.symbols.require(mandatory(params, 'symbol'));
    const result = this.context.engine.cancel(apiKey, spec.symbol, orderRef(params, 'origClientOrderId'));
    if (!result.ok) throw new BinanceError(-2011, 'Unknown order sent.');
    return this.cancelJson(result.order, spec, params.get('newClientOrderId'));
  }

  /** Spot answers a cancel with a new clientOrderId for the cancel itself and the original in origClientOrderId. */
  private cancelJson(order: SimOrder, spec: InstrumentSpec, cancelId: string | null): unknown {
    if (this.flavor === 'usdm') return futuresOrderJson(order, spec);
    const json = spotOrderJson(order, spec);
    return { ...json, origClientOrderId: order.clientOrderId, clientOrderId: cancelId ?? generatedClientId(), transactTime: order.updatedMs };
  }

  openOrders(request: VenueRequest): unknown {
    const { apiKey, params } = this.signed(request);
    const symbol = params.get('symbol');
    const spec = symbol === null ? undefined : this.symbols.require(symbol);
    return this.context.engine.openOrders(apiKey, spec?.symbol).map((order) => orderJson(this.flavor, order, this.symbols.forSymbol(order.symbol)));
  }

  cancelAll(request: VenueRequest): unknown {
    const { apiKey, params } = this.signed(request);
    const spec = this.symbols.require(mandatory(params, 'symbol'));
    const canceled = this.context.engine.openOrders(apiKey, spec.symbol).map((order) => this.context.engine.cancel(apiKey, spec.symbol, { orderId: order.orderId }));
    if (this.flavor === 'usdm') return { code: 200, msg: 'The operation of cancel all open order is done.' };
    return canceled.flatMap((result) => (result.ok ? [this.cancelJson(result.order, spec, null)] : []));
  }

  allOrders(request: VenueRequest): unknown {
    const { apiKey, params } = this.signed(request);
    const spec = this.symbols.require(mandatory(params, 'symbol'));
    const fromId = integer(params, 'orderId') ?? 0;
    const orders = this.context.engine.ordersOf(apiKey, spec.symbol).filter((order) => order.orderId >= fromId && inWindow(params, order.createdMs));
    return orders.slice(0, limitOf(params, 500, 1000)).map((order) => orderJson(this.flavor, order, spec));
  }

  trades(request: VenueRequest): unknown {
    const { apiKey, params } = this.signed(request);
    const spec = this.symbols.require(mandatory(params, 'symbol'));
    const orderId = integer(params, 'orderId');
    const fromId = integer(params, 'fromId') ?? 0;
    const fills = this.context.engine
      .ordersOf(apiKey, spec.symbol)
      .filter((order) => orderId === undefined || order.orderId === orderId)
      .flatMap((order) => order.fills)
      .filter((fill) => fill.tradeId >= fromId && inWindow(params, fill.timeMs))
      .sort((a, b) => a.tradeId - b.tradeId);
    return fills.slice(-limitOf(params, 500, 1000)).map((fill) => accountTradeJson(this.flavor, fill, spec));
  }
}

export function limitOf(params: URLSearchParams, fallback: number, max: number): number {
  const limit = integer(params, 'limit') ?? fallback;
  return Math.max(1, Math.min(max, limit));
}

export function inWindow(params: URLSearchParams, timeMs: number): boolean {
  const start = integer(params, 'startTime');
  const end = integer(params, 'endTime');
  return (start === undefined || timeMs >= start) && (end === undefined || timeMs <= end);
}
