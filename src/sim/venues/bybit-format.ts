/**
 * Bybit v5 wire objects shared by REST and WebSocket: instruments, tickers and book levels.
 * Prices print with the tick's decimals (`priceScale`), quantities with the step's, as bybit
 * does. ccxt tells a linear ticker from a spot one by `openInterestValue` (REST and WS) and a
 * spot WS ticker by `usdIndexPrice`, so each kind carries exactly its own field set.
 */
import { usdPrice } from '../exchange/margin.js';
import type { InstrumentMarket, VenueMarket } from '../market/venue-market.js';
import { decimalsOf, type InstrumentSpec, type Level } from '../types.js';
import { bybitId } from './bybit-http.js';
import { fixedText } from './wire.js';

export const priceText = (spec: InstrumentSpec, value: number): string => fixedText(value, spec.tickSize);
export const qtyText = (spec: InstrumentSpec, value: number): string => fixedText(value, spec.stepSize);

export function levelsJson(spec: InstrumentSpec, levels: readonly Level[]): string[][] {
  return levels.map(([ticks, quantity]) => [priceText(spec, ticks * spec.tickSize), qtyText(spec, quantity)]);
}

function spotInstrument(spec: InstrumentSpec): Record<string, unknown> {
  return {
    symbol: bybitId(spec),
    baseCoin: spec.base,
    quoteCoin: spec.quote,
    innovation: '0',
    status: 'Trading',
    marginTrading: 'utaOnly',
    stTag: '0',
    lotSizeFilter: {
      basePrecision: qtyText(spec, spec.stepSize),
      quotePrecision: '0.00000001',
      minOrderQty: qtyText(spec, spec.minQty),
      maxOrderQty: qtyText(spec, spec.maxQty),
      minOrderAmt: String(spec.minNotional),
      maxOrderAmt: '2000000',
    },
    priceFilter: { tickSize: priceText(spec, spec.tickSize) },
    riskParameters: { priceLimitRatioX: '0.05', priceLimitRatioY: '0.05' },
  };
}

function linearInstrument(spec: InstrumentSpec, maxAbsFundingRate: number): Record<string, unknown> {
  return {
    symbol: bybitId(spec),
    contractType: 'LinearPerpetual',
    status: 'Trading',
    baseCoin: spec.base,
    quoteCoin: spec.quote,
    launchTime: '1585526400000',
    deliveryTime: '0',
    deliveryFeeRate: '',
    priceScale: String(decimalsOf(spec.tickSize)),
    leverageFilter: { minLeverage: '1', maxLeverage: '100.00', leverageStep: '0.01' },
    priceFilter: { minPrice: priceText(spec, spec.tickSize), maxPrice: priceText(spec, spec.tickSize * 1e7), tickSize: priceText(spec, spec.tickSize) },
    lotSizeFilter: {
      maxOrderQty: qtyText(spec, spec.maxQty),
      minOrderQty: qtyText(spec, spec.minQty),
      qtyStep: qtyText(spec, spec.stepSize),
      postOnlyMaxOrderQty: qtyText(spec, spec.maxQty),
      maxMktOrderQty: qtyText(spec, spec.maxQty / 10),
      minNotionalValue: String(spec.minNotional),
    },
    unifiedMarginTrade: true,
    // Minutes: ccxt derives its funding `interval` ("8h", "1h") from this.
    fundingInterval: (spec.fundingIntervalHours ?? 8) * 60,
    settleCoin: spec.settle ?? spec.quote,
    copyTrading: 'both',
    upperFundingRate: maxAbsFundingRate.toFixed(6),
    lowerFundingRate: (-maxAbsFundingRate).toFixed(6),
    isPreListing: false,
    preListingInfo: null,
  };
}

export function instrumentJson(spec: InstrumentSpec, maxAbsFundingRate: number): Record<string, unknown> {
  return spec.kind === 'spot' ? spotInstrument(spec) : linearInstrument(spec, maxAbsFundingRate);
}

function statistics(market: InstrumentMarket): Record<string, string> {
  const { spec, ticker } = market;
  const bid = market.book.bestBid();
  const ask = market.book.bestAsk();
  return {
    symbol: bybitId(spec),
    bid1Price: priceText(spec, (bid?.[0] ?? 0) * spec.tickSize),
    bid1Size: qtyText(spec, bid?.[1] ?? 0),
    ask1Price: priceText(spec, (ask?.[0] ?? 0) * spec.tickSize),
    ask1Size: qtyText(spec, ask?.[1] ?? 0),
    lastPrice: priceText(spec, ticker.last),
    prevPrice24h: priceText(spec, ticker.open),
    price24hPcnt: ((ticker.last - ticker.open) / ticker.open).toFixed(4),
    highPrice24h: priceText(spec, ticker.high),
    lowPrice24h: priceText(spec, ticker.low),
    turnover24h: ticker.quoteVolume.toFixed(4),
    volume24h: qtyText(spec, ticker.baseVolume),
  };
}

/** A ticker as `/v5/market/tickers` lists it and `tickers.<SYMBOL>` pushes it. */
export function tickerJson(venue: VenueMarket, market: InstrumentMarket): Record<string, string> {
  const { spec, funding } = market;
  const stats = statistics(market);
  if (spec.kind === 'spot') return { ...stats, usdIndexPrice: usdPrice(venue, spec.base).toFixed(8) };
  const openInterest = spec.levelQty * 2000;
  return {
    ...stats,
    indexPrice: priceText(spec, venue.indexPrice(spec.symbol)),
    markPrice: priceText(spec, venue.markPrice(spec.symbol)),
    prevPrice1h: priceText(spec, market.ticker.open),
    openInterest: qtyText(spec, openInterest),
    openInterestValue: (openInterest * venue.markPrice(spec.symbol)).toFixed(2),
    fundingRate: (funding?.rate ?? 0).toFixed(8),
    nextFundingTime: String(funding?.nextFundingTimeMs ?? 0),
    fundingIntervalHour: String(funding?.intervalHours ?? spec.fundingIntervalHours ?? 8),
    predictedDeliveryPrice: '',
    basisRate: '',
    basis: '',
    deliveryFeeRate: '',
    deliveryTime: '0',
  };
}
