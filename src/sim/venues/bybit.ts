/**
 * bybit (ccxt id `bybit`): one unified trading account for spot and USDT linear perpetuals,
 * REST on `api.bybit.com` (ccxt's `https://api.{hostname}`) and public streams on
 * `stream.bybit.com` (`/v5/public/spot`, `/v5/public/linear`).
 *
 * ccxt with `fetchMarkets: { types: ['spot', 'linear'] }` and `fetchCurrencies: false` loads
 * markets from `/v5/market/instruments-info` only; with `enableUnifiedAccount: true` it skips
 * the account-type side trip on its first private call (both endpoints exist here anyway).
 * Funding intervals differ per symbol, as on bybit: BTC settles every 8 h, ETH every 4 h and
 * SOL every hour. Spot and linear fees differ (10/10 bps, 2/5.5 bps).
 */
import type { NetResponse } from '../../base/net/index.js';
import type { InstrumentSpec, VenueSpec } from '../types.js';
import type { CoreError, VenueContext, VenueModule, VenueProtocol, VenueRequest } from '../venue.js';
import { BybitAccountApi } from './bybit-account.js';
import { BybitError, bybitErrorResponse, bybitRoute, BybitSymbols } from './bybit-http.js';
import { BybitOrderApi } from './bybit-orders.js';
import { BybitPublicApi } from './bybit-public.js';
import { BybitStreams } from './bybit-streams.js';
import { spotInstrument, usdtPerp } from './instruments.js';
import { bybitFeeRate } from './trade-fees.js';

const REST_HOST = 'api.bybit.com';
const STREAM_HOST = 'stream.bybit.com';

const LINEAR_FEES = { makerRate: 0.0002, takerRate: 0.00055 };

const spot = (base: string, quote: string, tickSize: number, stepSize: number, minQty: number, minNotional: number, levelQty: number): InstrumentSpec =>
  spotInstrument(base, quote, { tickSize, stepSize, minQty, maxQty: 5_000, minNotional, levelQty });

const linear = (base: string, tickSize: number, stepSize: number, levelQty: number, fundingIntervalHours: number): InstrumentSpec =>
  usdtPerp(base, { tickSize, stepSize, maxQty: 1_000_000, minNotional: 5, levelQty, fundingIntervalHours, fees: LINEAR_FEES });

const BYBIT_SPEC: VenueSpec = {
  id: 'bybit',
  hosts: [REST_HOST, STREAM_HOST],
  instruments: [
    spot('BTC', 'USDT', 0.01, 0.000001, 0.000011, 5, 0.5),
    spot('ETH', 'USDT', 0.01, 0.00001, 0.00011, 5, 7),
    spot('SOL', 'USDT', 0.01, 0.001, 0.011, 5, 130),
    spot('ETH', 'BTC', 0.00001, 0.00001, 0.0001, 0.00001, 7),
    linear('BTC', 0.1, 0.001, 1.2, 8),
    linear('ETH', 0.01, 0.01, 18, 4),
    linear('SOL', 0.01, 0.1, 350, 1),
  ],
  quoting: { offsetBps: 1, spreadBps: 1, noiseBps: 2, levels: 25, levelSpacingBps: 1, refreshProbability: 0.1 },
  fees: { makerRate: 0.001, takerRate: 0.001 },
  funding: { intervalHours: 8, meanRate: 0.0001, volatilityPerSqrtHour: 0.00012, reversionPerHour: 0.3, maxAbsRate: 0.005 },
  startingBalances: { USDT: 100_000, BTC: 1, ETH: 10, SOL: 100 },
  defaultLeverage: 10,
  wsPingIntervalMs: 20_000,
};

function coreError(error: CoreError, nowMs: number): NetResponse {
  switch (error.kind) {
    case 'rate-limited':
      return bybitErrorResponse(
        new BybitError(10006, 'Too many visits!', 200, {
          'retry-after': String(error.retryAfterSec),
          'x-bapi-limit-status': '0',
          'x-bapi-limit-reset-timestamp': String(nowMs + error.retryAfterSec * 1000),
        }),
        nowMs,
      );
    case 'server-error':
      // The gateway in front of the API answers 5xx with HTML, not the JSON envelope.
      return { status: error.status, headers: { 'content-type': 'text/html' }, body: `<html><body><h1>${error.status} Service Unavailable</h1></body></html>` };
    case 'not-found':
      return bybitErrorResponse(new BybitError(10017, 'Route not found', 404), nowMs);
  }
}

function createProtocol(context: VenueContext): VenueProtocol {
  const symbols = new BybitSymbols(context.spec);
  const market = new BybitPublicApi(context, symbols);
  const orders = new BybitOrderApi(context, symbols);
  const account = new BybitAccountApi(context, symbols);
  const streams = new BybitStreams(context, symbols);
  const route = (method: string, path: string, handler: (request: VenueRequest) => unknown) =>
    bybitRoute(REST_HOST, method, path, context.logger, context.clock, handler);
  return {
    routes: [
      route('GET', '/v5/market/time', () => market.time()),
      route('GET', '/v5/market/instruments-info', (request) => market.instruments(request)),
      route('GET', '/v5/market/tickers', (request) => market.tickers(request)),
      route('GET', '/v5/market/orderbook', (request) => market.orderbook(request)),
      route('GET', '/v5/market/funding/history', (request) => market.fundingHistory(request)),
      route('POST', '/v5/order/create', (request) => orders.create(request)),
      route('POST', '/v5/order/cancel', (request) => orders.cancel(request)),
      route('POST', '/v5/order/cancel-all', (request) => orders.cancelAll(request)),
      route('GET', '/v5/order/realtime', (request) => orders.realtime(request)),
      route('GET', '/v5/order/history', (request) => orders.history(request)),
      route('GET', '/v5/account/wallet-balance', (request) => account.walletBalance(request)),
      route('GET', '/v5/account/info', (request) => account.accountInfo(request)),
      route('GET', '/v5/user/query-api', (request) => account.queryApi(request)),
      route('GET', '/v5/position/list', (request) => account.positions(request)),
      route('POST', '/v5/position/set-leverage', (request) => account.setLeverage(request)),
      route('GET', '/v5/execution/list', (request) => account.executions(request)),
      route('GET', '/v5/account/fee-rate', (request) => bybitFeeRate(context, symbols, request)),
    ],
    websockets: streams.endpoints(STREAM_HOST),
    onTick: (tick) => streams.onTick(tick),
    errorResponse: (error) => coreError(error, context.clock.nowMs()),
  };
}

/** The bybit venue module (spot + USDT linear perpetuals, one unified account). */
export const bybit: VenueModule = {
  spec: BYBIT_SPEC,
  rules: { fokUnfillable: 'expire', postOnlyWouldTake: 'cancel' },
  createProtocol,
};
