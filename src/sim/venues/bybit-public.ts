/**
 * Bybit v5 public REST: server time, instruments (ccxt's loadMarkets asks once per category,
 * and for linear a second time with `status=PreLaunch`, which lists nothing here), tickers
 * (best bid/ask, 24 h statistics, and on linear mark, index, `fundingRate`, `nextFundingTime`),
 * the order book snapshot and the settled funding history (newest first, as bybit lists it).
 */
import type { InstrumentMarket } from '../market/venue-market.js';
import type { InstrumentSpec } from '../types.js';
import type { VenueContext, VenueRequest } from '../venue.js';
import { instrumentJson, levelsJson, tickerJson } from './bybit-format.js';
import { bybitId, BybitError, categoryParam, integerParam, paramsOf, required, type BybitCategory, type BybitSymbols } from './bybit-http.js';
import { clampLimit, inTimeWindow } from './wire.js';

/** Book depth per request: spot 1…200 (default 1), linear 1…500 (default 25). */
const BOOK_LIMITS: Record<BybitCategory, { fallback: number; max: number }> = { spot: { fallback: 1, max: 200 }, linear: { fallback: 25, max: 500 } };

export class BybitPublicApi {
  constructor(
    private readonly context: VenueContext,
    private readonly symbols: BybitSymbols,
  ) {}

  private market(spec: InstrumentSpec): InstrumentMarket {
    return this.context.market.get(spec.symbol) as InstrumentMarket;
  }

  /** The instruments a request names: one `symbol`, or the whole category. */
  private selection(params: Map<string, string>): { category: BybitCategory; specs: InstrumentSpec[] } {
    const category = categoryParam(params);
    const symbol = params.get('symbol');
    return { category, specs: symbol ? [this.symbols.require(category, symbol)] : this.symbols.inCategory(category) };
  }

  time(): unknown {
    const now = this.context.clock.nowMs();
    return { timeSecond: String(Math.floor(now / 1000)), timeNano: `${now}000000` };
  }

  instruments(request: VenueRequest): unknown {
    const params = paramsOf(request);
    const { category, specs } = this.selection(params);
    const status = params.get('status');
    const listed = status === undefined || status === 'Trading' ? specs : [];
    return { category, list: listed.map((spec) => instrumentJson(spec, this.market(spec).funding?.maxAbsRate ?? 0)), nextPageCursor: '' };
  }

  tickers(request: VenueRequest): unknown {
    const { category, specs } = this.selection(paramsOf(request));
    return { category, list: specs.map((spec) => tickerJson(this.context.market, this.market(spec))) };
  }

  orderbook(request: VenueRequest): unknown {
    const params = paramsOf(request);
    const category = categoryParam(params);
    const spec = this.symbols.require(category, required(params, 'symbol'));
    const { fallback, max } = BOOK_LIMITS[category];
    const limit = integerParam(params, 'limit') ?? fallback;
    if (limit < 1 || limit > max) throw new BybitError(10001, 'params error: limit invalid');
    const market = this.market(spec);
    const snapshot = market.book.snapshot(limit);
    const now = this.context.clock.nowMs();
    return {
      s: bybitId(spec),
      b: levelsJson(spec, snapshot.bids),
      a: levelsJson(spec, snapshot.asks),
      ts: now,
      u: market.book.eventSequence,
      seq: snapshot.lastUpdateId,
      cts: now,
    };
  }

  fundingHistory(request: VenueRequest): unknown {
    const params = paramsOf(request);
    const category = categoryParam(params);
    if (category !== 'linear') throw new BybitError(10001, 'params error: category only support linear or inverse');
    const spec = this.symbols.require(category, required(params, 'symbol'));
    const start = integerParam(params, 'startTime');
    const end = integerParam(params, 'endTime');
    const limit = clampLimit(params.get('limit') ?? null, 200, 200);
    const list = (this.market(spec).funding?.history ?? [])
      .filter((entry) => inTimeWindow(entry.fundingTimeMs, start, end))
      .slice(-limit)
      .reverse()
      .map((entry) => ({ symbol: bybitId(spec), fundingRate: entry.rate.toFixed(8), fundingRateTimestamp: String(entry.fundingTimeMs) }));
    return { category, list };
  }
}
