/**
 * Route tables shared by the two binance markets: the public market-data endpoints and the
 * order endpoints differ between spot and USDⓈ-M only by prefix (`/api/v3` vs `/fapi/v1`),
 * and the core-error bodies (rate limit, server error, unknown path) are the same.
 */
import type { NetResponse } from '../../base/net/index.js';
import type { CoreError, VenueContext, VenueRoute } from '../venue.js';
import type { BinanceFlavor, BinanceSymbols } from './binance-format.js';
import { BinanceError, binanceRoute, errorResponse } from './binance-http.js';
import { BinanceOrderApi } from './binance-orders.js';
import { BinancePublicApi } from './binance-public.js';

/** Public + order routes under `prefix` on `host`. */
export function sharedRoutes(flavor: BinanceFlavor, context: VenueContext, symbols: BinanceSymbols, host: string, prefix: string): VenueRoute[] {
  const publicApi = new BinancePublicApi(flavor, context, symbols);
  const orders = new BinanceOrderApi(flavor, context, symbols);
  const route = (method: string, path: string, handler: Parameters<typeof binanceRoute>[4]): VenueRoute =>
    binanceRoute(host, method, `${prefix}${path}`, context.logger, handler);
  return [
    route('GET', '/ping', () => ({})),
    route('GET', '/time', () => publicApi.time()),
    route('GET', '/depth', (request) => publicApi.depth(request)),
    route('GET', '/ticker/24hr', (request) => publicApi.ticker24hr(request)),
    route('GET', '/ticker/bookTicker', (request) => publicApi.bookTicker(request)),
    route('GET', '/ticker/price', (request) => publicApi.price(request)),
    route('POST', '/order', (request) => orders.create(request)),
    route('GET', '/order', (request) => orders.get(request)),
    route('DELETE', '/order', (request) => orders.cancel(request)),
    route('GET', '/openOrders', (request) => orders.openOrders(request)),
    route('GET', '/allOrders', (request) => orders.allOrders(request)),
    route('DELETE', flavor === 'spot' ? '/openOrders' : '/allOpenOrders', (request) => orders.cancelAll(request)),
    route('GET', flavor === 'spot' ? '/myTrades' : '/userTrades', (request) => orders.trades(request)),
  ];
}

/** Binance's answers to errors the core produces. */
export function binanceCoreError(error: CoreError): NetResponse {
  switch (error.kind) {
    case 'rate-limited':
      return errorResponse(
        new BinanceError(
          -1003,
          'Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute. Please use the websocket for live updates to avoid polling the API.',
          429,
          { 'retry-after': String(error.retryAfterSec) },
        ),
      );
    case 'server-error':
      // Gateways answer 5xx with HTML, not the API's JSON envelope.
      return { status: error.status, headers: { 'content-type': 'text/html' }, body: `<html><body><h1>${error.status} Service Unavailable</h1></body></html>` };
    case 'not-found':
      return { status: 404, headers: { 'content-type': 'text/html' }, body: '<html><body><h2>404 Not found</h2></body></html>' };
  }
}
