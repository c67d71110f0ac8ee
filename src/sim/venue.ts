/**
 * The contract between the simulator core and one venue module (binance spot, binance USDⓈ-M,
 * bybit, okx, …). Adding a venue is one module implementing `VenueModule` plus its tests, and
 * one line in `venues/index.ts`.
 *
 * The core owns everything venue-neutral: the market model (books with update ids, tickers,
 * funding), the matching engine and accounts, credentials, fault injection, the WebSocket hub
 * and the HTTP server. A venue module owns its wire protocol only: which paths exist, how
 * requests are authenticated and parsed, how books, orders and errors are encoded.
 *
 * Routing: a request for `http://127.0.0.1:P/<host>/<path>` reaches the route whose `host` is
 * `<host>` and whose `path` prefixes `/<path>`. HTTP faults and latency are applied before the
 * route runs; unknown paths under a venue's hosts are answered by `errorResponse`.
 */
import type { Logger } from '../base/log.js';
import type { NetRequest, NetResponse } from '../base/net/index.js';
import type { SimClock } from './clock.js';
import type { MatchingRules, VenueExchange } from './exchange/venue-exchange.js';
import type { FaultInjector } from './faults.js';
import type { DepthUpdate } from './market/book.js';
import type { VenueMarket } from './market/venue-market.js';
import type { SimSocket, StreamHub } from './streams.js';
import type { VenueSpec } from './types.js';

/** An HTTP request as a venue sees it: the host segment split off, the query parsed. */
export interface VenueRequest extends NetRequest {
  /** The original host (`fapi.binance.com`). */
  readonly host: string;
  /** The path after the host (`/fapi/v1/depth`). */
  readonly venuePath: string;
  readonly params: URLSearchParams;
}

export interface VenueRoute {
  readonly host: string;
  /** Upper-case method, or `*`. */
  readonly method: string;
  /** Prefix of `venuePath` (segment boundaries), e.g. `/api/v3/order`. */
  readonly path: string;
  readonly handler: (request: VenueRequest) => NetResponse | Promise<NetResponse>;
}

export interface VenueWsEndpoint {
  readonly host: string;
  /** Prefix of the path after the host, e.g. `/ws` (matches `/ws/0` too). */
  readonly path: string;
  /** A client connected; `query` is the raw query string of the upgrade request. */
  open(socket: SimSocket, query: string): void;
  message(socket: SimSocket, text: string): void;
  close?(socket: SimSocket): void;
}

export interface VenueTick {
  readonly nowMs: number;
  /** Depth diff events flushed this tick, per symbol (events swallowed by a fault are absent). */
  readonly depth: ReadonlyMap<string, DepthUpdate>;
}

/** Errors the core answers on a venue's behalf, in the venue's own format. */
export type CoreError =
  | { readonly kind: 'rate-limited'; readonly retryAfterSec: number }
  | { readonly kind: 'server-error'; readonly status: number }
  | { readonly kind: 'not-found'; readonly path: string };

export interface VenueProtocol {
  readonly routes: readonly VenueRoute[];
  readonly websockets: readonly VenueWsEndpoint[];
  /** Called after every market step: publish depth diffs, best bid/ask, throttled tickers… */
  onTick(tick: VenueTick): void;
  errorResponse(error: CoreError): NetResponse;
}

/** Looks up API secrets. The simulator's keys are account identifiers; secrets never leave this. */
export interface CredentialStore {
  secretFor(apiKey: string): string | undefined;
  /** The passphrase venues such as okx require with the key (undefined for an unknown key). */
  passphraseFor(apiKey: string): string | undefined;
}

/** What the core hands a venue module. */
export interface VenueContext {
  readonly spec: VenueSpec;
  readonly clock: SimClock;
  readonly market: VenueMarket;
  readonly engine: VenueExchange;
  readonly credentials: CredentialStore;
  readonly streams: StreamHub;
  /** Market-data corruption faults (the rest are applied outside the protocols). */
  readonly faults: FaultInjector;
  readonly logger: Logger;
}

/**
 * A venue: its market structure as data (`spec`, `rules`) and a factory for its protocol.
 *
 * @example
 * export const bybit: VenueModule = {
 *   spec: { id: 'bybit', hosts: ['api.bybit.com', 'stream.bybit.com'], instruments: [...], ... },
 *   rules: { fokUnfillable: 'expire' },
 *   createProtocol: (context) => createBybitProtocol(context),
 * };
 */
export interface VenueModule {
  readonly spec: VenueSpec;
  readonly rules: MatchingRules;
  createProtocol(context: VenueContext): VenueProtocol;
}
