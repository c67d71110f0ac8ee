/**
 * Binance wire formats shared by spot and USDⓈ-M: symbol ids, decimal strings, order and trade
 * objects. Spot prints every price and quantity with 8 decimals; futures print with the
 * symbol's tick and step precision. Field sets follow the venue's documented responses, which
 * is what ccxt's `parseOrder` / `parseTrade` read.
 */
import type { SimFill, SimOrder } from '../exchange/types.js';
import { decimalsOf, type InstrumentSpec, type VenueSpec } from '../types.js';
import { BinanceError } from './binance-http.js';

export type BinanceFlavor = 'spot' | 'usdm';

export function binanceId(spec: InstrumentSpec): string {
  return `${spec.base}${spec.quote}`;
}

/** Symbol id ↔ instrument of one venue. */
export class BinanceSymbols {
  private readonly byId = new Map<string, InstrumentSpec>();

  constructor(venue: VenueSpec) {
    for (const spec of venue.instruments) this.byId.set(binanceId(spec), spec);
  }

  get(id: string): InstrumentSpec | undefined {
    return this.byId.get(id.toUpperCase());
  }

  /** The instrument for a `symbol` parameter, or binance's -1121. */
  require(id: string | null): InstrumentSpec {
    const spec = id === null ? undefined : this.byId.get(id);
    if (!spec) throw new BinanceError(-1121, 'Invalid symbol.');
    return spec;
  }

  /** The instrument of a unified symbol (`BTC/USDT:USDT`). */
  forSymbol(symbol: string): InstrumentSpec {
    const spec = [...this.byId.values()].find((candidate) => candidate.symbol === symbol);
    if (!spec) throw new BinanceError(-1121, 'Invalid symbol.');
    return spec;
  }

  all(): InstrumentSpec[] {
    return [...this.byId.values()];
  }
}

export function priceText(flavor: BinanceFlavor, spec: InstrumentSpec, price: number): string {
  return price.toFixed(flavor === 'spot' ? 8 : decimalsOf(spec.tickSize));
}

export function quantityText(flavor: BinanceFlavor, spec: InstrumentSpec, quantity: number): string {
  return quantity.toFixed(flavor === 'spot' ? 8 : decimalsOf(spec.stepSize));
}

/** Money amounts (balances, PnL, fees) always carry 8 decimals. */
export function amountText(amount: number): string {
  return amount.toFixed(8);
}

const STATUS: Record<SimOrder['status'], string> = {
  new: 'NEW',
  partially_filled: 'PARTIALLY_FILLED',
  filled: 'FILLED',
  canceled: 'CANCELED',
  expired: 'EXPIRED',
};

function statusText(order: SimOrder): string {
  return STATUS[order.status];
}

/** Spot shows post-only as type LIMIT_MAKER; futures as LIMIT with timeInForce GTX. */
function typeAndTif(flavor: BinanceFlavor, order: SimOrder): { type: string; timeInForce: string } {
  if (order.type === 'market') return { type: 'MARKET', timeInForce: 'GTC' };
  if (order.timeInForce === 'PO') return flavor === 'spot' ? { type: 'LIMIT_MAKER', timeInForce: 'GTC' } : { type: 'LIMIT', timeInForce: 'GTX' };
  return { type: 'LIMIT', timeInForce: order.timeInForce };
}

function averagePrice(order: SimOrder): number {
  return order.filledQuantity > 0 ? order.filledQuote / order.filledQuantity : 0;
}

/** A spot order as GET/POST/DELETE /api/v3/order return it (`fills` added for FULL responses). */
export function spotOrderJson(order: SimOrder, spec: InstrumentSpec): Record<string, unknown> {
  const { type, timeInForce } = typeAndTif('spot', order);
  return {
    symbol: binanceId(spec),
    orderId: order.orderId,
    orderListId: -1,
    clientOrderId: order.clientOrderId,
    price: priceText('spot', spec, order.price ?? 0),
    origQty: quantityText('spot', spec, order.quantity),
    executedQty: quantityText('spot', spec, order.filledQuantity),
    cummulativeQuoteQty: amountText(order.filledQuote),
    status: statusText(order),
    timeInForce,
    type,
    side: order.side.toUpperCase(),
    stopPrice: priceText('spot', spec, 0),
    icebergQty: quantityText('spot', spec, 0),
    time: order.createdMs,
    updateTime: order.updatedMs,
    isWorking: order.status === 'new' || order.status === 'partially_filled',
    workingTime: order.createdMs,
    origQuoteOrderQty: amountText(order.quoteQuantity ?? 0),
    selfTradePreventionMode: 'EXPIRE_MAKER',
  };
}

export function spotFillJson(fill: SimFill, spec: InstrumentSpec): Record<string, unknown> {
  return {
    price: priceText('spot', spec, fill.price),
    qty: quantityText('spot', spec, fill.quantity),
    commission: amountText(fill.fee),
    commissionAsset: fill.feeAsset,
    tradeId: fill.tradeId,
  };
}

/** A USDⓈ-M order as /fapi/v1/order returns it. */
export function futuresOrderJson(order: SimOrder, spec: InstrumentSpec): Record<string, unknown> {
  const { type, timeInForce } = typeAndTif('usdm', order);
  return {
    orderId: order.orderId,
    symbol: binanceId(spec),
    status: statusText(order),
    clientOrderId: order.clientOrderId,
    price: priceText('usdm', spec, order.price ?? 0),
    avgPrice: averagePrice(order).toFixed(decimalsOf(spec.tickSize) + 2),
    origQty: quantityText('usdm', spec, order.quantity),
    executedQty: quantityText('usdm', spec, order.filledQuantity),
    cumQty: quantityText('usdm', spec, order.filledQuantity),
    cumQuote: amountText(order.filledQuote),
    timeInForce,
    type,
    reduceOnly: order.reduceOnly,
    closePosition: false,
    side: order.side.toUpperCase(),
    positionSide: 'BOTH',
    stopPrice: '0',
    workingType: 'CONTRACT_PRICE',
    priceProtect: false,
    origType: type,
    priceMatch: 'NONE',
    selfTradePreventionMode: 'EXPIRE_MAKER',
    goodTillDate: 0,
    time: order.createdMs,
    updateTime: order.updatedMs,
  };
}

/** One of the account's trades (/api/v3/myTrades, /fapi/v1/userTrades). */
export function accountTradeJson(flavor: BinanceFlavor, fill: SimFill, spec: InstrumentSpec): Record<string, unknown> {
  const common = {
    symbol: binanceId(spec),
    id: fill.tradeId,
    orderId: fill.orderId,
    price: priceText(flavor, spec, fill.price),
    qty: quantityText(flavor, spec, fill.quantity),
    quoteQty: amountText(fill.price * fill.quantity),
    commission: amountText(fill.fee),
    commissionAsset: fill.feeAsset,
    time: fill.timeMs,
  };
  if (flavor === 'spot') {
    return { ...common, orderListId: -1, isBuyer: fill.side === 'buy', isMaker: fill.liquidity === 'maker', isBestMatch: true };
  }
  return {
    ...common,
    buyer: fill.side === 'buy',
    maker: fill.liquidity === 'maker',
    realizedPnl: amountText(fill.realizedPnl),
    side: fill.side.toUpperCase(),
    positionSide: 'BOTH',
  };
}
