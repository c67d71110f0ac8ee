/**
 * OKX v5 orders: `/trade/batch-orders` (what ccxt's createOrder uses by default, one entry),
 * `/trade/order`, `/trade/cancel-order`, `GET /trade/order`, `/trade/orders-pending` and
 * `/trade/orders-history`. Swap sizes are contracts on the wire and base units in the engine.
 *
 * A failed placement answers `code: "1"` with the reason per order in `data[].sCode` (51008
 * insufficient funds, 51020 below the minimum size, 51121 off the lot size, 51016 duplicate
 * clOrdId…); ccxt raises the class mapped to the sCode. An unknown order is 51400 on cancel
 * and 51603 on query (both OrderNotFound in ccxt).
 */
import type { OrderRequest, Rejection, RejectReason, SimOrder } from '../exchange/types.js';
import { isOpen } from '../exchange/types.js';
import type { OrderRef } from '../exchange/venue-exchange.js';
import type { InstrumentSpec } from '../types.js';
import type { VenueContext, VenueRequest } from '../venue.js';
import { pxText, szText } from './okx-format.js';
import { authenticate, bodyOf, instTypeOf, okxId, OkxError, OkxReply, queryOf, required, toBase, type OkxParams, type OkxSymbols } from './okx-http.js';
import { clampLimit } from './wire.js';

const ERRORS: Record<RejectReason, readonly [code: string, message: string]> = {
  unknown_symbol: ['51001', "Instrument ID or Spread ID doesn't exist."],
  invalid_parameter: ['51000', 'Parameter sz error'],
  price_tick: ['51000', 'Parameter px error'],
  quantity_step: ['51121', 'Order quantity must be a multiple of the lot size.'],
  quantity_range: ['51020', 'Your order should meet or exceed the minimum order amount.'],
  min_notional: ['51020', 'Your order should meet or exceed the minimum order amount.'],
  insufficient_balance: ['51008', 'Order failed. Insufficient balance in account.'],
  insufficient_margin: ['51008', 'Order failed. Insufficient USDT margin in account'],
  would_take: ['51000', 'Parameter ordType error'],
  fok_unfillable: ['51000', 'Parameter ordType error'],
  reduce_only: ['51205', 'Reduce Only is not available.'],
  duplicate_client_order_id: ['51016', 'Duplicated clOrdId'],
  no_liquidity: ['51006', 'Order price is not within the price limit'],
  injected: ['51006', 'Order price is not within the price limit'],
  unknown_order: ['51400', 'Order cancellation failed as the order has been filled, canceled or does not exist.'],
};

function rejectionError(rejection: Rejection, spec: InstrumentSpec, quantity: number | undefined): OkxError {
  if (rejection.reason === 'quantity_range' && quantity !== undefined && quantity > spec.maxQty) return new OkxError('51203', 'Order amount exceeds the limit');
  const [code, message] = ERRORS[rejection.reason];
  return new OkxError(code, message);
}

const CL_ORD_ID = /^[A-Za-z0-9]{1,32}$/;
const ORD_TYPES = new Set(['market', 'limit', 'post_only', 'fok', 'ioc', 'optimal_limit_ioc']);

function decimal(params: OkxParams, name: string): number {
  const value = required(params, name);
  if (!/^[0-9]+(\.[0-9]+)?$/.test(value) || Number(value) <= 0) throw new OkxError('51000', `Parameter ${name} error`);
  return Number(value);
}

/** Reads one order entry into an engine request (sizes converted from contracts). */
function parseNewOrder(entry: OkxParams, spec: InstrumentSpec): OrderRequest {
  const tdMode = required(entry, 'tdMode');
  if (spec.kind === 'perp' ? tdMode !== 'cross' && tdMode !== 'isolated' : !['cash', 'cross', 'isolated', 'spot_isolated'].includes(tdMode)) {
    throw new OkxError('51000', 'Parameter tdMode error');
  }
  const side = required(entry, 'side');
  const ordType = required(entry, 'ordType');
  if ((side !== 'buy' && side !== 'sell') || !ORD_TYPES.has(ordType)) throw new OkxError('51000', `Parameter ${side === 'buy' || side === 'sell' ? 'ordType' : 'side'} error`);
  const clientOrderId = entry.get('clOrdId') ?? '';
  if (clientOrderId !== '' && !CL_ORD_ID.test(clientOrderId)) throw new OkxError('51000', 'Parameter clOrdId error');
  const size = decimal(entry, 'sz');
  const base = { symbol: spec.symbol, side, clientOrderId, reduceOnly: entry.get('reduceOnly') === 'true' } as const;
  if (ordType === 'market' || ordType === 'optimal_limit_ioc') {
    // A spot market buy is sized in quote unless tgtCcy says base (ccxt sends base_ccy).
    const inQuote = spec.kind === 'spot' && (entry.get('tgtCcy') ?? (side === 'buy' ? 'quote_ccy' : 'base_ccy')) === 'quote_ccy';
    return { ...base, type: 'market', timeInForce: 'IOC', quantity: inQuote ? undefined : toBase(spec, size), quoteQuantity: inQuote ? size : undefined };
  }
  const timeInForce = ordType === 'post_only' ? 'PO' : ordType === 'fok' ? 'FOK' : ordType === 'ioc' ? 'IOC' : 'GTC';
  return { ...base, type: 'limit', timeInForce, quantity: toBase(spec, size), price: decimal(entry, 'px') };
}

const STATE: Record<SimOrder['status'], string> = { new: 'live', partially_filled: 'partially_filled', filled: 'filled', canceled: 'canceled', expired: 'canceled' };

function ordType(order: SimOrder, spec: InstrumentSpec): string {
  if (order.type === 'market') return spec.kind === 'spot' ? 'market' : 'optimal_limit_ioc';
  return { GTC: 'limit', IOC: 'ioc', FOK: 'fok', PO: 'post_only' }[order.timeInForce];
}

/** An order as `GET /trade/order` and the order lists return it. */
function orderJson(order: SimOrder, spec: InstrumentSpec, leverage: number): Record<string, unknown> {
  const quoteSized = order.type === 'market' && order.quoteQuantity !== undefined;
  const last = order.fills.at(-1);
  const fee = order.fills.reduce((sum, fill) => sum + fill.fee, 0);
  const average = order.filledQuantity > 0 ? order.filledQuote / order.filledQuantity : 0;
  return {
    accFillSz: szText(spec, order.filledQuantity),
    algoClOrdId: '',
    algoId: '',
    avgPx: average > 0 ? pxText(spec, average) : '',
    cTime: String(order.createdMs),
    cancelSource: '',
    category: 'normal',
    ccy: '',
    clOrdId: order.clientOrderId,
    fee: (-fee).toFixed(8),
    feeCcy: last?.feeAsset ?? (spec.kind === 'spot' ? (order.side === 'buy' ? spec.base : spec.quote) : (spec.settle ?? spec.quote)),
    fillPx: last ? pxText(spec, last.price) : '',
    fillSz: last ? szText(spec, last.quantity) : '',
    fillTime: last ? String(last.timeMs) : '',
    instId: okxId(spec),
    instType: instTypeOf(spec),
    lever: spec.kind === 'spot' ? '' : String(leverage),
    ordId: String(order.orderId),
    ordType: ordType(order, spec),
    pnl: order.fills.reduce((sum, fill) => sum + fill.realizedPnl, 0).toFixed(8),
    posSide: spec.kind === 'spot' ? '' : 'net',
    px: order.price === undefined ? '' : pxText(spec, order.price),
    rebate: '0',
    rebateCcy: spec.quote,
    reduceOnly: String(order.reduceOnly),
    side: order.side,
    state: STATE[order.status],
    stpMode: 'cancel_maker',
    sz: quoteSized ? String(order.quoteQuantity) : szText(spec, order.quantity),
    tag: '',
    tdMode: spec.kind === 'spot' ? 'cash' : 'cross',
    tgtCcy: order.type === 'market' && spec.kind === 'spot' ? (quoteSized ? 'quote_ccy' : 'base_ccy') : '',
    tradeId: last ? String(last.tradeId) : '',
    uTime: String(order.updatedMs),
  };
}

type Row = Record<string, string>;

export class OkxOrderApi {
  constructor(
    private readonly context: VenueContext,
    private readonly symbols: OkxSymbols,
  ) {}

  private now(): string {
    return String(this.context.clock.nowMs());
  }

  /** Places one entry; a refusal becomes its row's sCode rather than an exception. */
  private placeOne(apiKey: string, entry: OkxParams): { ok: boolean; row: Row } {
    const clOrdId = entry.get('clOrdId') ?? '';
    const tag = entry.get('tag') ?? '';
    try {
      const spec = this.symbols.require(entry.get('instId'));
      const request = parseNewOrder(entry, spec);
      const result = this.context.engine.place(apiKey, request);
      if (!result.ok) throw rejectionError(result.rejection, spec, request.quantity);
      return { ok: true, row: { clOrdId, ordId: String(result.order.orderId), sCode: '0', sMsg: 'Order placed', tag, ts: this.now() } };
    } catch (error) {
      if (!(error instanceof OkxError)) throw error;
      return { ok: false, row: { clOrdId, ordId: '', sCode: error.code, sMsg: error.message, tag, ts: this.now() } };
    }
  }

  /** `/trade/batch-orders` (single: false) and `/trade/order` (single: true). */
  place(request: VenueRequest, single: boolean): unknown {
    const apiKey = authenticate(request, this.context.credentials, this.context.clock);
    const entries = bodyOf(request);
    if (entries.length === 0 || entries.length > 20 || (single && entries.length !== 1)) throw new OkxError('51000', 'Parameter body error');
    const results = entries.map((entry) => this.placeOne(apiKey, entry));
    const succeeded = results.filter((result) => result.ok).length;
    const times = { inTime: `${this.now()}000`, outTime: `${this.now()}000` };
    const data = results.map((result) => result.row);
    if (succeeded === results.length) return new OkxReply({ code: '0', data, msg: '', ...times });
    if (single || succeeded === 0) return new OkxReply({ code: '1', data, msg: single ? 'Operation failed.' : 'All operations failed', ...times });
    return new OkxReply({ code: '2', data, msg: 'Bulk operation partially succeeded', ...times });
  }

  private reference(params: OkxParams, code: string): OrderRef {
    const ordId = params.get('ordId');
    const clOrdId = params.get('clOrdId');
    if (ordId) return { orderId: Number(ordId) };
    if (clOrdId) return { clientOrderId: clOrdId };
    throw new OkxError(code, 'Either client order ID or order ID is required.');
  }

  cancel(request: VenueRequest): unknown {
    const apiKey = authenticate(request, this.context.credentials, this.context.clock);
    const entry = bodyOf(request)[0] as OkxParams;
    const spec = this.symbols.require(required(entry, 'instId'));
    const result = this.context.engine.cancel(apiKey, spec.symbol, this.reference(entry, '51407'));
    const row = result.ok
      ? { clOrdId: result.order.clientOrderId, ordId: String(result.order.orderId), sCode: '0', sMsg: '', ts: this.now() }
      : { clOrdId: entry.get('clOrdId') ?? '', ordId: entry.get('ordId') ?? '', sCode: ERRORS.unknown_order[0], sMsg: ERRORS.unknown_order[1], ts: this.now() };
    return new OkxReply({ code: result.ok ? '0' : '1', data: [row], msg: result.ok ? '' : 'Operation failed.' });
  }

  private json(apiKey: string, order: SimOrder): Record<string, unknown> {
    return orderJson(order, this.symbols.ofSymbol(order.symbol), this.context.engine.account(apiKey).leverageOf(order.symbol));
  }

  get(request: VenueRequest): unknown {
    const apiKey = authenticate(request, this.context.credentials, this.context.clock);
    const query = queryOf(request);
    const spec = this.symbols.require(required(query, 'instId'));
    const order = this.context.engine.find(apiKey, spec.symbol, this.reference(query, '51003'));
    if (!order) throw new OkxError('51603', 'Order does not exist');
    return [this.json(apiKey, order)];
  }

  /** The account's orders newest first, narrowed by `instType` / `instId`, open or finished. */
  private list(request: VenueRequest, open: boolean): unknown {
    const apiKey = authenticate(request, this.context.credentials, this.context.clock);
    const query = queryOf(request);
    const instType = open ? query.get('instType') : required(query, 'instType'); // history insists on a type
    const specs = new Set(this.symbols.select(instType, query.get('instId')));
    return this.context.engine
      .ordersOf(apiKey)
      .filter((order) => isOpen(order) === open && specs.has(this.symbols.ofSymbol(order.symbol)))
      .reverse()
      .slice(0, clampLimit(query.get('limit') ?? null, 100, 100))
      .map((order) => this.json(apiKey, order));
  }

  pending(request: VenueRequest): unknown {
    return this.list(request, true);
  }

  history(request: VenueRequest): unknown {
    return this.list(request, false);
  }
}
