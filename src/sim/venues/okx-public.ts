/**
 * OKX v5 public REST: server time, instruments (ccxt's loadMarkets asks once per `instType`),
 * tickers, the order book, mark prices, the current funding rate (`instId=ANY` lists every
 * swap, which ccxt's fetchFundingRates uses) and the settled funding history (newest first,
 * paged by `before` / `after` on the funding time).
 */
import type { InstrumentMarket } from '../market/venue-market.js';
import type { InstrumentSpec } from '../types.js';
import type { VenueContext, VenueRequest } from '../venue.js';
import { fundingRateJson, instrumentJson, levelsJson, markPriceJson, tickerJson } from './okx-format.js';
import { okxId, OkxError, queryOf, required, type OkxSymbols } from './okx-http.js';
import { clampLimit } from './wire.js';

export class OkxPublicApi {
  constructor(
    private readonly context: VenueContext,
    private readonly symbols: OkxSymbols,
  ) {}

  private market(spec: InstrumentSpec): InstrumentMarket {
    return this.context.market.get(spec.symbol) as InstrumentMarket;
  }

  private swap(instId: string | undefined): InstrumentSpec {
    const spec = this.symbols.require(instId);
    if (spec.kind !== 'perp') throw new OkxError('51000', 'Parameter instId error');
    return spec;
  }

  time(): unknown {
    return [{ ts: String(this.context.clock.nowMs()) }];
  }

  instruments(request: VenueRequest): unknown {
    const query = queryOf(request);
    return this.symbols.select(required(query, 'instType'), query.get('instId')).map(instrumentJson);
  }

  ticker(request: VenueRequest): unknown {
    const spec = this.symbols.require(required(queryOf(request), 'instId'));
    return [tickerJson(this.market(spec), this.context.clock.nowMs())];
  }

  tickers(request: VenueRequest): unknown {
    const specs = this.symbols.select(required(queryOf(request), 'instType'), undefined);
    return specs.map((spec) => tickerJson(this.market(spec), this.context.clock.nowMs()));
  }

  books(request: VenueRequest): unknown {
    const query = queryOf(request);
    const spec = this.symbols.require(required(query, 'instId'));
    const snapshot = this.market(spec).book.snapshot(clampLimit(query.get('sz') ?? null, 1, 400));
    return [{ asks: levelsJson(spec, snapshot.asks), bids: levelsJson(spec, snapshot.bids), ts: String(this.context.clock.nowMs()) }];
  }

  markPrice(request: VenueRequest): unknown {
    const query = queryOf(request);
    const instType = required(query, 'instType');
    if (instType === 'SPOT') throw new OkxError('51000', 'Parameter instType error');
    const specs = this.symbols.select(instType, query.get('instId'));
    return specs.map((spec) => markPriceJson(this.context.market, this.market(spec), this.context.clock.nowMs()));
  }

  fundingRate(request: VenueRequest): unknown {
    const instId = required(queryOf(request), 'instId');
    const specs = instId === 'ANY' ? this.symbols.select('SWAP', undefined) : [this.swap(instId)];
    return specs.map((spec) => fundingRateJson(this.context.market, this.market(spec), this.context.clock.nowMs()));
  }

  fundingRateHistory(request: VenueRequest): unknown {
    const query = queryOf(request);
    const spec = this.swap(required(query, 'instId'));
    const newerThan = Number(query.get('before') ?? Number.NEGATIVE_INFINITY);
    const olderThan = Number(query.get('after') ?? Number.POSITIVE_INFINITY);
    const history = (this.market(spec).funding?.history ?? []).filter((entry) => entry.fundingTimeMs > newerThan && entry.fundingTimeMs < olderThan);
    return history
      .reverse()
      .slice(0, clampLimit(query.get('limit') ?? null, 100, 100))
      .map((entry) => ({
        formulaType: 'withRate',
        fundingRate: entry.rate.toFixed(8),
        fundingTime: String(entry.fundingTimeMs),
        instId: okxId(spec),
        instType: 'SWAP',
        method: 'current_period',
        realizedRate: entry.rate.toFixed(8),
      }));
  }
}
