/**
 * binance USDⓈ-M futures (ccxt id `binanceusdm`): `fapi.binance.com` REST and
 * `fstream.binance.com` streams.
 *
 * Funding: `/fapi/v1/premiumIndex` (mark, index, `lastFundingRate` = the rate that settles at
 * `nextFundingTime`), `/fapi/v1/fundingInfo` (per-symbol interval in hours), `/fapi/v1/fundingRate`
 * (settled history), and `r` / `T` on the `@markPrice` stream. Intervals differ per symbol
 * (here SOL settles every 4 h, BTC and ETH every 8 h).
 */
import type { FundingSettlement } from '../market/funding.js';
import type { InstrumentMarket } from '../market/venue-market.js';
import { decimalsOf, type InstrumentSpec, type VenueSpec } from '../types.js';
import type { VenueContext, VenueModule, VenueProtocol, VenueRequest } from '../venue.js';
import { amountText, binanceId, BinanceSymbols } from './binance-format.js';
import { binanceRoute, integer } from './binance-http.js';
import { limitOf } from './binance-orders.js';
import { commonFilters } from './binance-public.js';
import { binanceCoreError, sharedRoutes } from './binance-routes.js';
import { BinanceStreams } from './binance-streams.js';
import { BinanceUsdmAccountApi } from './binance-usdm-account.js';
import { usdtPerp } from './instruments.js';
import { binanceUsdmCommissionRate } from './trade-fees.js';

const REST_HOST = 'fapi.binance.com';
const STREAM_HOST = 'fstream.binance.com';

const perp = (base: string, tickSize: number, stepSize: number, minNotional: number, levelQty: number, fundingIntervalHours: number): InstrumentSpec =>
  usdtPerp(base, { tickSize, stepSize, maxQty: 1_000_000, minNotional, levelQty, fundingIntervalHours });

const BINANCE_USDM_SPEC: VenueSpec = {
  id: 'binanceusdm',
  hosts: [REST_HOST, STREAM_HOST],
  instruments: [perp('BTC', 0.1, 0.001, 100, 1.5, 8), perp('ETH', 0.01, 0.001, 20, 20, 8), perp('SOL', 0.01, 1, 5, 400, 4)],
  quoting: { offsetBps: 2, spreadBps: 1, noiseBps: 2, levels: 20, levelSpacingBps: 1, refreshProbability: 0.1 },
  fees: { makerRate: 0.0002, takerRate: 0.0005 },
  funding: { intervalHours: 8, meanRate: 0.0001, volatilityPerSqrtHour: 0.0001, reversionPerHour: 0.3, maxAbsRate: 0.003 },
  startingBalances: { USDT: 100_000 },
  defaultLeverage: 20,
  wsPingIntervalMs: 180_000,
};

function symbolJson(spec: InstrumentSpec): Record<string, unknown> {
  return {
    symbol: binanceId(spec),
    pair: binanceId(spec),
    contractType: 'PERPETUAL',
    deliveryDate: 4133404800000,
    onboardDate: 1569398400000,
    status: 'TRADING',
    maintMarginPercent: '2.5000',
    requiredMarginPercent: '5.0000',
    baseAsset: spec.base,
    quoteAsset: spec.quote,
    marginAsset: spec.settle,
    pricePrecision: decimalsOf(spec.tickSize),
    quantityPrecision: decimalsOf(spec.stepSize),
    baseAssetPrecision: 8,
    quotePrecision: 8,
    underlyingType: 'COIN',
    underlyingSubType: [],
    triggerProtect: '0.0500',
    liquidationFee: '0.012500',
    marketTakeBound: '0.05',
    maxMoveOrderLimit: 10000,
    filters: [
      ...commonFilters('usdm', spec),
      { filterType: 'MAX_NUM_ORDERS', limit: 200 },
      { filterType: 'MAX_NUM_ALGO_ORDERS', limit: 10 },
      { filterType: 'MIN_NOTIONAL', notional: String(spec.minNotional) },
      { filterType: 'PERCENT_PRICE', multiplierUp: '1.0500', multiplierDown: '0.9500', multiplierDecimal: '4' },
    ],
    orderTypes: ['LIMIT', 'MARKET'],
    timeInForce: ['GTC', 'IOC', 'FOK', 'GTX'],
    permissionSets: ['GRID', 'COPY'],
  };
}

class UsdmMarketApi {
  constructor(
    private readonly context: VenueContext,
    private readonly symbols: BinanceSymbols,
  ) {}

  private markets(request: VenueRequest): { markets: InstrumentMarket[]; single: boolean } {
    const only = request.params.get('symbol');
    const specs = only === null ? this.symbols.all() : [this.symbols.require(only)];
    return { markets: specs.map((spec) => this.context.market.get(spec.symbol) as InstrumentMarket), single: only !== null };
  }

  exchangeInfo(): unknown {
    return {
      timezone: 'UTC',
      serverTime: this.context.clock.nowMs(),
      futuresType: 'U_MARGINED',
      rateLimits: [
        { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400 },
        { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: 1200 },
        { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 300 },
      ],
      exchangeFilters: [],
      assets: [{ asset: 'USDT', marginAvailable: true, autoAssetExchange: '-10000' }],
      symbols: this.symbols.all().map(symbolJson),
    };
  }

  premiumIndex(request: VenueRequest): unknown {
    const { markets, single } = this.markets(request);
    const now = this.context.clock.nowMs();
    const rows = markets.map((market) => ({
      symbol: binanceId(market.spec),
      markPrice: this.context.market.markPrice(market.spec.symbol).toFixed(8),
      indexPrice: this.context.market.indexPrice(market.spec.symbol).toFixed(8),
      estimatedSettlePrice: this.context.market.indexPrice(market.spec.symbol).toFixed(8),
      lastFundingRate: (market.funding?.rate ?? 0).toFixed(8),
      interestRate: '0.00010000',
      nextFundingTime: market.funding?.nextFundingTimeMs ?? 0,
      time: now,
    }));
    return single ? rows[0] : rows;
  }

  fundingInfo(): unknown {
    return this.symbols.all().map((spec) => ({
      symbol: binanceId(spec),
      adjustedFundingRateCap: amountText(this.context.spec.funding?.maxAbsRate ?? 0),
      adjustedFundingRateFloor: amountText(-(this.context.spec.funding?.maxAbsRate ?? 0)),
      fundingIntervalHours: this.context.market.get(spec.symbol)?.funding?.intervalHours ?? 8,
      disclaimer: false,
    }));
  }

  /** Settled rates, oldest first: from `startTime` on, or the latest `limit` when no window is given. */
  fundingRate(request: VenueRequest): unknown {
    const params = request.params;
    const { markets } = this.markets(request);
    const start = integer(params, 'startTime');
    const end = integer(params, 'endTime');
    const limit = limitOf(params, 100, 1000);
    const rows = markets
      .flatMap((market) => (market.funding?.history ?? []).map((entry: FundingSettlement) => ({ market, entry })))
      .filter(({ entry }) => (start === undefined || entry.fundingTimeMs >= start) && (end === undefined || entry.fundingTimeMs <= end))
      .sort((a, b) => a.entry.fundingTimeMs - b.entry.fundingTimeMs)
      .map(({ market, entry }) => ({
        symbol: binanceId(market.spec),
        fundingRate: entry.rate.toFixed(8),
        fundingTime: entry.fundingTimeMs,
        markPrice: entry.markPrice.toFixed(8),
      }));
    return start === undefined ? rows.slice(-limit) : rows.slice(0, limit);
  }
}

function createProtocol(context: VenueContext): VenueProtocol {
  const symbols = new BinanceSymbols(context.spec);
  const streams = new BinanceStreams('usdm', context, symbols);
  const market = new UsdmMarketApi(context, symbols);
  const account = new BinanceUsdmAccountApi(context, symbols);
  const route = (method: string, path: string, handler: (request: VenueRequest) => unknown) =>
    binanceRoute(REST_HOST, method, path, context.logger, handler);
  return {
    routes: [
      ...sharedRoutes('usdm', context, symbols, REST_HOST, '/fapi/v1'),
      route('GET', '/fapi/v1/exchangeInfo', () => market.exchangeInfo()),
      route('GET', '/fapi/v1/premiumIndex', (request) => market.premiumIndex(request)),
      route('GET', '/fapi/v1/fundingInfo', () => market.fundingInfo()),
      route('GET', '/fapi/v1/fundingRate', (request) => market.fundingRate(request)),
      route('GET', '/fapi/v2/account', (request) => account.account(request)),
      route('GET', '/fapi/v3/account', (request) => account.account(request)),
      route('GET', '/fapi/v2/positionRisk', (request) => account.positionRisk(request, 2)),
      route('GET', '/fapi/v3/positionRisk', (request) => account.positionRisk(request, 3)),
      route('GET', '/fapi/v1/leverageBracket', (request) => account.leverageBracket(request)),
      route('POST', '/fapi/v1/leverage', (request) => account.setLeverage(request)),
      route('GET', '/fapi/v1/income', (request) => account.income(request)),
      route('GET', '/fapi/v1/commissionRate', (request) => binanceUsdmCommissionRate(context, symbols, request)),
    ],
    websockets: streams.endpoints(STREAM_HOST, ['/ws', '/stream', '/public/ws', '/public/stream', '/market/ws', '/market/stream']),
    onTick: (tick) => streams.onTick(tick),
    errorResponse: binanceCoreError,
  };
}

/** The binance USDⓈ-M futures venue module. */
export const binanceUsdm: VenueModule = {
  spec: BINANCE_USDM_SPEC,
  rules: { fokUnfillable: 'reject' },
  createProtocol,
};
