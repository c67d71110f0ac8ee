/**
 * okx (ccxt id `okx`): one unified trading account for spot and USDT swaps, REST on
 * `www.okx.com` (ccxt's `https://{hostname}`) and public streams on `ws.okx.com`
 * (`wss://ws.okx.com:8443/ws/v5/public`; the redirect drops the port).
 *
 * ccxt with `fetchMarkets: { types: ['spot', 'swap'] }` and `fetchCurrencies: false` loads
 * markets from `/api/v5/public/instruments` only. Swaps trade in contracts of `ctVal` base
 * units (0.01 BTC, 0.1 ETH, 1 SOL), spot in base units. Signing needs the passphrase as a
 * third credential (ccxt's `password`). Funding settles every 8 h for BTC and ETH and every
 * 2 h for SOL; spot fees are 8/10 bps, swap fees 2/5 bps.
 */
import type { NetResponse } from '../../base/net/index.js';
import type { InstrumentSpec, VenueSpec } from '../types.js';
import type { CoreError, VenueContext, VenueModule, VenueProtocol, VenueRequest } from '../venue.js';
import { OkxAccountApi } from './okx-account.js';
import { OkxFillsApi } from './okx-fills.js';
import { OkxError, okxErrorResponse, okxRoute, OkxSymbols } from './okx-http.js';
import { OkxOrderApi } from './okx-orders.js';
import { OkxPublicApi } from './okx-public.js';
import { OkxStreams } from './okx-streams.js';
import { spotInstrument, usdtPerp } from './instruments.js';
import { okxTradeFee } from './trade-fees.js';

const REST_HOST = 'www.okx.com';
const STREAM_HOST = 'ws.okx.com';

/** okx sets a minimum size (minSz), not a minimum notional. */
const spot = (base: string, quote: string, tickSize: number, stepSize: number, minQty: number, levelQty: number): InstrumentSpec =>
  spotInstrument(base, quote, { tickSize, stepSize, minQty, maxQty: 1_000_000, minNotional: 0, levelQty });

/** A USDT swap of `contractSize` base units per contract, traded in steps of 0.01 contract. */
const swap = (base: string, contractSize: number, tickSize: number, levelQty: number, fundingIntervalHours: number): InstrumentSpec =>
  usdtPerp(base, {
    tickSize,
    stepSize: contractSize * 0.01,
    maxQty: contractSize * 100_000,
    minNotional: 0,
    levelQty,
    fundingIntervalHours,
    contractSize,
    fees: { makerRate: 0.0002, takerRate: 0.0005 },
  });

const OKX_SPEC: VenueSpec = {
  id: 'okx',
  hosts: [REST_HOST, STREAM_HOST],
  instruments: [
    spot('BTC', 'USDT', 0.1, 0.00000001, 0.00001, 0.45),
    spot('ETH', 'USDT', 0.01, 0.000001, 0.0001, 6.5),
    spot('SOL', 'USDT', 0.01, 0.000001, 0.001, 120),
    spot('ETH', 'BTC', 0.00001, 0.000001, 0.001, 6.5),
    swap('BTC', 0.01, 0.1, 1.3, 8),
    swap('ETH', 0.1, 0.01, 19, 8),
    swap('SOL', 1, 0.01, 380, 2),
  ],
  quoting: { offsetBps: -1, spreadBps: 1, noiseBps: 2, levels: 25, levelSpacingBps: 1, refreshProbability: 0.1 },
  fees: { makerRate: 0.0008, takerRate: 0.001 },
  funding: { intervalHours: 8, meanRate: 0.0001, volatilityPerSqrtHour: 0.0001, reversionPerHour: 0.3, maxAbsRate: 0.00375 },
  startingBalances: { USDT: 100_000, BTC: 1, ETH: 10, SOL: 100 },
  defaultLeverage: 10,
  wsPingIntervalMs: 20_000,
};

function coreError(error: CoreError): NetResponse {
  switch (error.kind) {
    case 'rate-limited':
      return okxErrorResponse(new OkxError('50011', 'Too Many Requests', 429, { 'retry-after': String(error.retryAfterSec) }));
    case 'server-error':
      // The gateway in front of the API answers 5xx with HTML, not the JSON envelope.
      return { status: error.status, headers: { 'content-type': 'text/html' }, body: `<html><body><h1>${error.status} Service Unavailable</h1></body></html>` };
    case 'not-found':
      return { status: 404, headers: { 'content-type': 'text/html' }, body: '<html><body><h1>404 Not Found</h1></body></html>' };
  }
}

function createProtocol(context: VenueContext): VenueProtocol {
  const symbols = new OkxSymbols(context.spec);
  const market = new OkxPublicApi(context, symbols);
  const orders = new OkxOrderApi(context, symbols);
  const account = new OkxAccountApi(context, symbols);
  const fills = new OkxFillsApi(context, symbols);
  const streams = new OkxStreams(context, symbols);
  const route = (method: string, path: string, handler: (request: VenueRequest) => unknown) => okxRoute(REST_HOST, method, `/api/v5${path}`, context.logger, handler);
  return {
    routes: [
      route('GET', '/public/time', () => market.time()),
      route('GET', '/public/instruments', (request) => market.instruments(request)),
      route('GET', '/public/funding-rate', (request) => market.fundingRate(request)),
      route('GET', '/public/funding-rate-history', (request) => market.fundingRateHistory(request)),
      route('GET', '/public/mark-price', (request) => market.markPrice(request)),
      route('GET', '/market/ticker', (request) => market.ticker(request)),
      route('GET', '/market/tickers', (request) => market.tickers(request)),
      route('GET', '/market/books', (request) => market.books(request)),
      route('POST', '/trade/batch-orders', (request) => orders.place(request, false)),
      route('POST', '/trade/order', (request) => orders.place(request, true)),
      route('POST', '/trade/cancel-order', (request) => orders.cancel(request)),
      route('GET', '/trade/order', (request) => orders.get(request)),
      route('GET', '/trade/orders-pending', (request) => orders.pending(request)),
      route('GET', '/trade/orders-history', (request) => orders.history(request)),
      route('GET', '/trade/fills', (request) => fills.list(request, false)),
      route('GET', '/trade/fills-history', (request) => fills.list(request, true)),
      route('GET', '/account/balance', (request) => account.balance(request)),
      route('GET', '/account/positions', (request) => account.positions(request)),
      route('POST', '/account/set-leverage', (request) => account.setLeverage(request)),
      route('GET', '/account/bills', (request) => account.bills(request)),
      route('GET', '/account/bills-archive', (request) => account.bills(request)),
      route('GET', '/account/trade-fee', (request) => okxTradeFee(context, symbols, request)),
    ],
    websockets: streams.endpoints(STREAM_HOST),
    onTick: (tick) => streams.onTick(tick),
    errorResponse: coreError,
  };
}

/** The okx venue module (spot + USDT swaps, one unified account). */
export const okx: VenueModule = {
  spec: OKX_SPEC,
  rules: { fokUnfillable: 'expire', postOnlyWouldTake: 'cancel' },
  createProtocol,
};
