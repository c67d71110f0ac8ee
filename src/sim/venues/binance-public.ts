/**
 * Binance public REST endpoints shared by spot and USDⓈ-M: server time, ping, depth snapshot,
 * 24 h tickers and best bid/ask. Spot takes `symbols=["A","B"]` (a JSON array) where futures
 * only take one `symbol`; without either, both list every symbol.
 */
import type { InstrumentMarket } from '../market/venue-market.js';
import type { InstrumentSpec } from '../types.js';
import type { VenueContext, VenueRequest } from '../venue.js';
import { binanceId, priceText, quantityText, type BinanceFlavor, type BinanceSymbols } from './binance-format.js';
import { BinanceError, integer } from './binance-http.js';
import { depthSnapshot, tickerEvent } from './binance-stream-events.js';

const FUTURES_DEPTH_LIMITS = new Set([5, 10, 20, 50, 100, 500, 1000]);

export class BinancePublicApi {
  constructor(
    private readonly flavor: BinanceFlavor,
    private readonly context: VenueContext,
    private readonly symbols: BinanceSymbols,
  ) {}

  private market(spec: InstrumentSpec): InstrumentMarket {
    return this.context.market.get(spec.symbol) as InstrumentMarket;
  }

  time(): unknown {
    return { serverTime: this.context.clock.nowMs() };
  }

  depth(request: VenueRequest): unknown {
    const spec = this.symbols.require(request.params.get('symbol'));
    const limit = integer(request.params, 'limit') ?? (this.flavor === 'spot' ? 100 : 500);
    if (this.flavor === 'usdm' && !FUTURES_DEPTH_LIMITS.has(limit)) throw new BinanceError(-4021, 'Invalid depth limit.');
    if (limit < 1 || limit > 5000) throw new BinanceError(-1100, "Illegal characters found in parameter 'limit'; legal range is '1..5000'.");
    return depthSnapshot(this.flavor, this.market(spec), limit, this.context.clock.nowMs());
  }

  /** The specs a ticker request asks for, and whether to answer a single object. */
  private selection(request: VenueRequest): { specs: InstrumentSpec[]; single: boolean } {
    const symbol = request.params.get('symbol');
    if (symbol !== null) return { specs: [this.symbols.require(symbol)], single: true };
    const list = request.params.get('symbols');
    if (list === null || this.flavor === 'usdm') return { specs: this.symbols.all(), single: false };
    let ids: unknown;
    try {
      ids = JSON.parse(list);
    } catch {
      throw new BinanceError(-1100, "Illegal characters found in parameter 'symbols'; legal range is '^\\[(\"[A-Z0-9-_.]{1,20}\"(,\"[A-Z0-9-_.]{1,20}\"){0,}){0,1}\\]$'.");
    }
    if (!Array.isArray(ids)) throw new BinanceError(-1100, "Illegal characters found in parameter 'symbols'.");
    return { specs: ids.map((id) => this.symbols.require(typeof id === 'string' ? id : null)), single: false };
  }

  ticker24hr(request: VenueRequest): unknown {
    const { specs, single } = this.selection(request);
    const tickers = specs.map((spec) => this.tickerJson(spec));
    return single ? tickers[0] : tickers;
  }

  private tickerJson(spec: InstrumentSpec): Record<string, unknown> {
    const market = this.market(spec);
    const now = this.context.clock.nowMs();
    const event = tickerEvent(this.flavor, market, now);
    const body: Record<string, unknown> = {
      symbol: binanceId(spec),
      priceChange: event.p,
      priceChangePercent: event.P,
      weightedAvgPrice: event.w,
      ...(this.flavor === 'spot' ? { prevClosePrice: event.x } : {}),
      lastPrice: event.c,
      lastQty: event.Q,
      ...(this.flavor === 'spot' ? { bidPrice: event.b, bidQty: event.B, askPrice: event.a, askQty: event.A } : {}),
      openPrice: event.o,
      highPrice: event.h,
      lowPrice: event.l,
      volume: event.v,
      quoteVolume: event.q,
      openTime: event.O,
      closeTime: now,
      firstId: event.F,
      lastId: event.L,
      count: event.n,
    };
    return body;
  }

  bookTicker(request: VenueRequest): unknown {
    const { specs, single } = this.selection(request);
    const tickers = specs.map((spec) => this.bookTickerJson(spec));
    return single ? tickers[0] : tickers;
  }

  private bookTickerJson(spec: InstrumentSpec): Record<string, unknown> {
    const market = this.market(spec);
    const bid = market.book.bestBid();
    const ask = market.book.bestAsk();
    const body = {
      symbol: binanceId(spec),
      bidPrice: priceText(this.flavor, spec, (bid?.[0] ?? 0) * spec.tickSize),
      bidQty: quantityText(this.flavor, spec, bid?.[1] ?? 0),
      askPrice: priceText(this.flavor, spec, (ask?.[0] ?? 0) * spec.tickSize),
      askQty: quantityText(this.flavor, spec, ask?.[1] ?? 0),
    };
    return this.flavor === 'usdm' ? { ...body, time: this.context.clock.nowMs(), lastUpdateId: market.book.updateId } : body;
  }

  /** Latest price (`/ticker/price`). */
  price(request: VenueRequest): unknown {
    const { specs, single } = this.selection(request);
    const now = this.context.clock.nowMs();
    const prices = specs.map((spec) => ({
      symbol: binanceId(spec),
      price: priceText(this.flavor, spec, this.market(spec).ticker.last),
      ...(this.flavor === 'usdm' ? { time: now } : {}),
    }));
    return single ? prices[0] : prices;
  }
}

/** `PRICE_FILTER`, `LOT_SIZE`, `MARKET_LOT_SIZE` filters, common to both markets. */
export function commonFilters(flavor: BinanceFlavor, spec: InstrumentSpec): Record<string, unknown>[] {
  const price = (value: number): string => priceText(flavor, spec, value);
  const quantity = (value: number): string => quantityText(flavor, spec, value);
  return [
    { filterType: 'PRICE_FILTER', minPrice: price(spec.tickSize), maxPrice: price(spec.tickSize * 1e8), tickSize: price(spec.tickSize) },
    { filterType: 'LOT_SIZE', minQty: quantity(spec.minQty), maxQty: quantity(spec.maxQty), stepSize: quantity(spec.stepSize) },
    { filterType: 'MARKET_LOT_SIZE', minQty: quantity(spec.minQty), maxQty: quantity(spec.maxQty), stepSize: quantity(spec.stepSize) },
  ];
}
