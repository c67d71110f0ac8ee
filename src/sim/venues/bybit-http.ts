/**
 * Bybit v5 REST plumbing: the envelope `{"retCode":0,"retMsg":"OK","result":…,"retExtInfo":{},
 * "time":…}`, parameters (query for GET, a JSON body for POST), categories and symbols, and
 * request signing: headers `X-BAPI-API-KEY`, `X-BAPI-TIMESTAMP`, `X-BAPI-RECV-WINDOW`,
 * `X-BAPI-SIGN` = hex HMAC-SHA256 of timestamp + key + recvWindow + (query string | body).
 *
 * Bybit answers business errors with HTTP 200 and a non-zero `retCode` (ccxt maps the code);
 * an invalid key or signature comes with HTTP 401.
 */
import type { Logger } from '../../base/log.js';
import type { NetResponse } from '../../base/net/index.js';
import type { SimClock } from '../clock.js';
import type { InstrumentSpec, VenueSpec } from '../types.js';
import type { CredentialStore, VenueRequest, VenueRoute } from '../venue.js';
import { guardedRoute, hmacSha256, jsonResponse, sameText, SymbolTable, VenueError } from './wire.js';

export type BybitCategory = 'spot' | 'linear';

/** Bybit's `retCode` error. */
export class BybitError extends VenueError<number> {}

export function bybitErrorResponse(error: BybitError, nowMs: number): NetResponse {
  return jsonResponse({ retCode: error.code, retMsg: error.message, result: {}, retExtInfo: {}, time: nowMs }, error.status, error.headers);
}

/** A route answering `{retCode: 0, result}`; BybitError becomes its error body, anything else 10016. */
export function bybitRoute(host: string, method: string, path: string, logger: Logger, clock: SimClock, handler: (request: VenueRequest) => unknown): VenueRoute {
  return guardedRoute(host, method, path, logger, {
    ok: (result) => jsonResponse({ retCode: 0, retMsg: 'OK', result, retExtInfo: {}, time: clock.nowMs() }),
    error: (error) => (error instanceof BybitError ? bybitErrorResponse(error, clock.nowMs()) : undefined),
    internal: () => bybitErrorResponse(new BybitError(10016, 'Internal server error.'), clock.nowMs()),
  }, handler);
}

export function bybitId(spec: InstrumentSpec): string {
  return `${spec.base}${spec.quote}`;
}

export function categoryOf(spec: InstrumentSpec): BybitCategory {
  return spec.kind === 'spot' ? 'spot' : 'linear';
}

/** Spot and linear share ids (`BTCUSDT` is both), so instruments are keyed by category too. */
export class BybitSymbols extends SymbolTable {
  constructor(venue: VenueSpec) {
    super(venue.instruments, (spec) => `${categoryOf(spec)}:${bybitId(spec)}`);
  }

  /** The instrument of (category, symbol), or bybit's 10001. */
  require(category: BybitCategory, id: string | undefined): InstrumentSpec {
    const spec = id === undefined ? undefined : this.get(`${category}:${id}`);
    if (!spec) throw new BybitError(10001, 'params error: symbol invalid');
    return spec;
  }

  inCategory(category: BybitCategory): InstrumentSpec[] {
    return this.all().filter((spec) => categoryOf(spec) === category);
  }
}

/** Request parameters: the query of a GET, the JSON body of a POST, as strings. */
export function paramsOf(request: VenueRequest): Map<string, string> {
  if (request.method !== 'POST') return new Map(request.params);
  let body: unknown;
  try {
    body = request.body.length === 0 ? {} : JSON.parse(request.text());
  } catch {
    throw new BybitError(10001, 'params error: invalid JSON body');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new BybitError(10001, 'params error: body must be a JSON object');
  return new Map(Object.entries(body).filter(([, value]) => value !== null && value !== undefined).map(([key, value]) => [key, String(value)]));
}

export function required(params: Map<string, string>, name: string): string {
  const value = params.get(name);
  if (value === undefined || value === '') throw new BybitError(10001, `params error: ${name} is required`);
  return value;
}

/** `category`, which bybit requires on every v5 trading and market endpoint. */
export function categoryParam(params: Map<string, string>): BybitCategory {
  const category = required(params, 'category');
  if (category !== 'spot' && category !== 'linear') throw new BybitError(10001, 'Illegal category');
  return category;
}

const DECIMAL = /^[0-9]+(\.[0-9]+)?$/;

export function decimalParam(params: Map<string, string>, name: string): number | undefined {
  const value = params.get(name);
  if (value === undefined || value === '') return undefined;
  if (!DECIMAL.test(value)) throw new BybitError(10001, `params error: ${name} invalid`);
  return Number(value);
}

export function integerParam(params: Map<string, string>, name: string): number | undefined {
  const value = params.get(name);
  if (value === undefined || value === '') return undefined;
  if (!/^[0-9]{1,19}$/.test(value)) throw new BybitError(10001, `params error: ${name} invalid`);
  return Number(value);
}

const UNAUTHORIZED = 401;

function checkTimestamp(timestamp: string | undefined, recvWindow: number, nowMs: number): void {
  const sent = Number(timestamp);
  // Bybit's rule: server_time - recv_window <= timestamp < server_time + 1000.
  if (!Number.isInteger(sent) || sent < nowMs - recvWindow || sent >= nowMs + 1000) {
    throw new BybitError(
      10002,
      `invalid request, please check your server timestamp or recv_window param. req_timestamp[${timestamp}],server_timestamp[${nowMs}],recv_window[${recvWindow}]`,
    );
  }
}

/**
 * Verifies a signed request and returns its API key. The signed payload is the query string
 * exactly as sent (GET) or the body exactly as sent (POST), after timestamp, key and window.
 */
export function authenticate(request: VenueRequest, credentials: CredentialStore, clock: SimClock): string {
  const apiKey = request.headers['x-bapi-api-key'];
  const secret = apiKey ? credentials.secretFor(apiKey) : undefined;
  if (!apiKey || secret === undefined) throw new BybitError(10003, 'API key is invalid.', UNAUTHORIZED);
  const timestamp = request.headers['x-bapi-timestamp'];
  const recvWindow = request.headers['x-bapi-recv-window'] ?? '5000';
  const signature = request.headers['x-bapi-sign'] ?? '';
  const payload = `${timestamp ?? ''}${apiKey}${recvWindow}${request.method === 'POST' ? request.text() : request.query}`;
  if (!sameText(hmacSha256(secret, payload, 'hex'), signature.toLowerCase())) {
    throw new BybitError(10004, `error sign! origin_string[${payload}]`, UNAUTHORIZED);
  }
  checkTimestamp(timestamp, Number(recvWindow) || 5000, clock.nowMs());
  return apiKey;
}
