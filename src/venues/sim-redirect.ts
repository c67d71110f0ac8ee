/**
 * Points a ccxt instance at the embedded simulator: every URL in its `urls.api` tree (and the
 * `test` / `demo` trees, which some code paths consult) becomes
 * `http://127.0.0.1:<port>/<original host><path>` (`ws://…` for `wss://`), the routing the
 * simulator expects. The original host is kept as the first path segment, minus any port
 * (`stream.binance.com:9443` → `stream.binance.com`). URLs with ccxt placeholders such as
 * `https://api.{hostname}/v5` are rewritten as strings, so ccxt still fills the placeholder in.
 *
 * ccxt refuses `ws://` URLs unless the instance has an `httpAgent` (see notes/ccxt-offline.md);
 * one is set here.
 *
 * binance picks its market-specific error maps (`exceptions.spot`, `exceptions.linear`, …) by
 * the request URL's prefix (`https://fapi.binance.com/`); a redirected URL matches none, so
 * ccxt would fall back to its generic map and, for example, raise ExchangeError instead of
 * InsufficientFunds for `-2019 Margin is insufficient.`. The instance's `getExceptionsByUrl` is
 * therefore given the original URL back, which makes error mapping identical to the real venue.
 *
 * Quirks kept working on purpose: binance spot decides "spot stream" by `/stream` in the socket
 * URL, which the host segment `stream.binance.com` provides; binance futures rewrites a
 * `…/ws` base URL into `…/public/ws/<n>` and `…/market/ws/<n>`, which the simulator serves.
 */
import { Agent } from 'node:http';

const ABSOLUTE = /^(https?|wss?):\/\/([^/?#]+)(.*)$/;

/** Rewrites one URL for a simulator at `base` (`http://127.0.0.1:P`). Non-URLs pass through. */
export function redirectUrl(url: string, base: string): string {
  const match = ABSOLUTE.exec(url);
  if (!match) return url;
  const [, scheme, authority, rest] = match as unknown as [string, string, string, string];
  const host = authority.replace(/:\d+$/, '');
  const target = scheme.startsWith('ws') ? base.replace(/^http/, 'ws') : base;
  return `${target}/${host}${rest}`;
}

function rewriteTree(node: unknown, base: string): unknown {
  if (typeof node === 'string') return redirectUrl(node, base);
  if (Array.isArray(node)) return node.map((item) => rewriteTree(item, base));
  if (node !== null && typeof node === 'object') {
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) result[key] = rewriteTree(value, base);
    return result;
  }
  return node;
}

/** The original `https://` URL of a URL redirected to `base`, or the URL itself. */
function originalUrl(url: string, base: string): string {
  return url.startsWith(`${base}/`) ? `https://${url.slice(base.length + 1)}` : url;
}

/** The parts of a ccxt instance the redirect touches. */
export interface RedirectableExchange {
  urls: Record<string, unknown>;
  httpAgent?: unknown;
  getExceptionsByUrl?: (url: string, exactOrBroad: string) => unknown;
}

/**
 * Redirects `exchange` to the simulator at `simulatorUrl` (`http://127.0.0.1:<port>`), in place.
 *
 * @example
 * const exchange = await createExchange('binanceusdm', { apiKey, secret });
 * redirectToSimulator(exchange, sim.url);
 * await exchange.loadMarkets(); // GET http://127.0.0.1:P/fapi.binance.com/fapi/v1/exchangeInfo
 */
export function redirectToSimulator<T extends RedirectableExchange>(exchange: T, simulatorUrl: string): T {
  const base = simulatorUrl.replace(/\/+$/, '');
  if (!/^http:\/\/[^/]+$/.test(base)) throw new Error(`simulator URL must look like http://host:port, got ${JSON.stringify(simulatorUrl)}`);
  for (const tree of ['api', 'test', 'demo'] as const) {
    if (exchange.urls[tree] !== undefined) exchange.urls[tree] = rewriteTree(exchange.urls[tree], base);
  }
  exchange.httpAgent ??= new Agent({ keepAlive: true });
  const byUrl = exchange.getExceptionsByUrl;
  if (typeof byUrl === 'function') {
    exchange.getExceptionsByUrl = function (this: unknown, url: string, exactOrBroad: string) {
      return byUrl.call(this, originalUrl(url, base), exactOrBroad);
    };
  }
  return exchange;
}
