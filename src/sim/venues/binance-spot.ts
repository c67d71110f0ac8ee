/**
 * binance spot (ccxt id `binance`): `api.binance.com` REST and `stream.binance.com` streams.
 *
 * ccxt with `fetchMarkets: { types: ['spot'] }, fetchMargins: false, fetchCurrencies: false`
 * loads markets from `/api/v3/exchangeInfo` only. ccxt tells spot from futures streams by
 * `/stream` in the socket URL, which the redirected host segment `stream.binance.com` provides.
 */
import type { InstrumentSpec, VenueSpec } from '../types.js';
import type { VenueContext, VenueModule, VenueProtocol, VenueRequest } from '../venue.js';
import { amountText, binanceId, BinanceSymbols } from './binance-format.js';
import { allParams, authenticate, binanceRoute } from './binance-http.js';
import { commonFilters } from './binance-public.js';
import { binanceCoreError, sharedRoutes } from './binance-routes.js';
import { BinanceStreams } from './binance-streams.js';
import { spotInstrument } from './instruments.js';
import { binanceSpotTradeFee } from './trade-fees.js';

const REST_HOST = 'api.binance.com';
const STREAM_HOST = 'stream.binance.com';

const spot = (base: string, quote: string, tickSize: number, stepSize: number, minNotional: number, levelQty: number): InstrumentSpec =>
  spotInstrument(base, quote, { tickSize, stepSize, maxQty: 9_000, minNotional, levelQty });

const BINANCE_SPOT_SPEC: VenueSpec = {
  id: 'binance',
  hosts: [REST_HOST, STREAM_HOST],
  instruments: [
    spot('BTC', 'USDT', 0.01, 0.00001, 5, 0.4),
    spot('ETH', 'USDT', 0.01, 0.0001, 5, 6),
    spot('SOL', 'USDT', 0.01, 0.001, 5, 120),
    spot('ETH', 'BTC', 0.00001, 0.0001, 0.0001, 6),
  ],
  quoting: { offsetBps: 0, spreadBps: 1, noiseBps: 1.5, levels: 20, levelSpacingBps: 1, refreshProbability: 0.1 },
  fees: { makerRate: 0.001, takerRate: 0.001 },
  startingBalances: { USDT: 100_000, BTC: 1, ETH: 10, SOL: 100 },
  defaultLeverage: 1,
  wsPingIntervalMs: 20_000,
};

function symbolJson(spec: InstrumentSpec): Record<string, unknown> {
  return {
    symbol: binanceId(spec),
    status: 'TRADING',
    baseAsset: spec.base,
    baseAssetPrecision: 8,
    quoteAsset: spec.quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: ['LIMIT', 'LIMIT_MAKER', 'MARKET'],
    icebergAllowed: false,
    ocoAllowed: false,
    otoAllowed: false,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: false,
    cancelReplaceAllowed: false,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      ...commonFilters('spot', spec),
      { filterType: 'NOTIONAL', minNotional: amountText(spec.minNotional), applyMinToMarket: true, maxNotional: '9000000.00000000', applyMaxToMarket: false, avgPriceMins: 5 },
      { filterType: 'MAX_NUM_ORDERS', maxNumOrders: 200 },
    ],
    permissions: [],
    permissionSets: [['SPOT']],
    defaultSelfTradePreventionMode: 'EXPIRE_MAKER',
    allowedSelfTradePreventionModes: ['EXPIRE_TAKER', 'EXPIRE_MAKER', 'EXPIRE_BOTH'],
  };
}

function exchangeInfo(context: VenueContext, symbols: BinanceSymbols, request: VenueRequest): unknown {
  const only = request.params.get('symbol');
  const specs = only === null ? symbols.all() : [symbols.require(only)];
  return {
    timezone: 'UTC',
    serverTime: context.clock.nowMs(),
    rateLimits: [
      { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
      { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 100 },
      { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 200000 },
    ],
    exchangeFilters: [],
    symbols: specs.map(symbolJson),
  };
}

function account(context: VenueContext, request: VenueRequest): unknown {
  const apiKey = authenticate(request, context.credentials, context.clock);
  const omitZero = allParams(request).get('omitZeroBalances') === 'true';
  const { makerRate, takerRate } = context.spec.fees;
  const balances = [...context.engine.account(apiKey).balances]
    .filter(([, balance]) => !omitZero || balance.free + balance.locked > 0)
    .map(([asset, balance]) => ({ asset, free: amountText(balance.free), locked: amountText(balance.locked) }));
  return {
    makerCommission: Math.round(makerRate * 1e4),
    takerCommission: Math.round(takerRate * 1e4),
    buyerCommission: 0,
    sellerCommission: 0,
    commissionRates: { maker: amountText(makerRate), taker: amountText(takerRate), buyer: amountText(0), seller: amountText(0) },
    canTrade: true,
    canWithdraw: true,
    canDeposit: true,
    brokered: false,
    requireSelfTradePrevention: false,
    preventSor: false,
    updateTime: context.clock.nowMs(),
    accountType: 'SPOT',
    balances,
    permissions: ['SPOT'],
    uid: 354937868,
  };
}

function createProtocol(context: VenueContext): VenueProtocol {
  const symbols = new BinanceSymbols(context.spec);
  const streams = new BinanceStreams('spot', context, symbols);
  return {
    routes: [
      ...sharedRoutes('spot', context, symbols, REST_HOST, '/api/v3'),
      binanceRoute(REST_HOST, 'GET', '/api/v3/exchangeInfo', context.logger, (request) => exchangeInfo(context, symbols, request)),
      binanceRoute(REST_HOST, 'GET', '/api/v3/account', context.logger, (request) => account(context, request)),
      binanceRoute(REST_HOST, 'GET', '/sapi/v1/asset/tradeFee', context.logger, (request) => binanceSpotTradeFee(context, symbols, request)),
    ],
    websockets: streams.endpoints(STREAM_HOST, ['/ws', '/stream']),
    onTick: (tick) => streams.onTick(tick),
    errorResponse: binanceCoreError,
  };
}

/** The binance spot venue module. */
export const binanceSpot: VenueModule = {
  spec: BINANCE_SPOT_SPEC,
  rules: { fokUnfillable: 'expire' },
  createProtocol,
};
