/**
 * Binance REST plumbing shared by spot and USDⓈ-M: the error envelope `{"code":-1121,"msg":…}`,
 * parameter parsing with binance's own validation errors, and request signing checks
 * (`X-MBX-APIKEY` header, HMAC-SHA256 `signature` over the query string followed by the body,
 * `timestamp` within `recvWindow`).
 *
 * Handlers throw `BinanceError`; `binanceRoute` turns it into the response binance would send,
 * and anything unexpected into binance's -1000, so a bad request never escapes as a crash.
 */
import type { Logger } from '../../base/log.js';
import type { NetResponse } from '../../base/net/index.js';
import type { SimClock } from '../clock.js';
import type { CredentialStore, VenueRequest, VenueRoute } from '../venue.js';
import { guardedRoute, hmacSha256, sameText } from './wire.js';

export class BinanceError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly status = 400,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const JSON_HEADERS = { 'content-type': 'application/json;charset=UTF-8' } as const;

function json(body: unknown, status = 200): NetResponse {
  return { status, headers: JSON_HEADERS, body: JSON.stringify(body) };
}

export function errorResponse(error: BinanceError): NetResponse {
  return { status: error.status, headers: { ...JSON_HEADERS, ...error.headers }, body: JSON.stringify({ code: error.code, msg: error.message }) };
}

/** Wraps a handler so every failure becomes binance's error body. */
export function binanceRoute(
  host: string,
  method: string,
  path: string,
  logger: Logger,
  handler: (request: VenueRequest) => unknown,
): VenueRoute {
  return guardedRoute(host, method, path, logger, {
    ok: (result) => json(result),
    error: (error) => (error instanceof BinanceError ? errorResponse(error) : undefined),
    internal: () => errorResponse(new BinanceError(-1000, 'An unknown error occurred while processing the request.', 500)),
  }, handler);
}

/** Query and form body merged, as binance reads them. */
export function allParams(request: VenueRequest): URLSearchParams {
  const merged = new URLSearchParams(request.params);
  if (request.body.length > 0) for (const [key, value] of new URLSearchParams(request.text())) merged.append(key, value);
  return merged;
}

export function mandatory(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null || value === '') {
    throw new BinanceError(-1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`);
  }
  return value;
}

const DECIMAL = /^([0-9]{1,20})(\.[0-9]{1,20})?$/;

/** A decimal parameter (binance rejects exponents, signs and stray characters with -1100). */
export function decimal(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === null || value === '') return undefined;
  if (!DECIMAL.test(value)) {
    throw new BinanceError(-1100, `Illegal characters found in parameter '${name}'; legal range is '^([0-9]{1,20})(\\.[0-9]{1,20})?$'.`);
  }
  return Number(value);
}

export function integer(params: URLSearchParams, name: string): number | undefined {
  const value = params.get(name);
  if (value === null || value === '') return undefined;
  if (!/^-?[0-9]{1,19}$/.test(value)) {
    throw new BinanceError(-1100, `Illegal characters found in parameter '${name}'; legal range is '^[0-9]{1,20}$'.`);
  }
  return Number(value);
}

/** Removes `signature=…` from a raw urlencoded string, keeping everything else byte for byte. */
function withoutSignature(raw: string): { rest: string; signature: string | undefined } {
  let signature: string | undefined;
  const rest = raw
    .split('&')
    .filter((pair) => {
      if (!pair.startsWith('signature=')) return true;
      try {
        signature = decodeURIComponent(pair.slice('signature='.length));
      } catch {
        signature = ''; // malformed percent-encoding: it cannot match, and says so with -1022
      }
      return false;
    })
    .join('&');
  return { rest, signature };
}

function checkTimestamp(params: URLSearchParams, clock: SimClock): void {
  const timestamp = integer(params, 'timestamp');
  if (timestamp === undefined) throw new BinanceError(-1102, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed.");
  const recvWindow = integer(params, 'recvWindow') ?? 5000;
  if (recvWindow > 60_000) throw new BinanceError(-1131, 'recvWindow must be less than 60000');
  const now = clock.nowMs();
  if (timestamp > now + 1000 || now - timestamp > recvWindow) {
    throw new BinanceError(-1021, "Timestamp for this request is outside of the recvWindow.");
  }
}

/**
 * Authenticates a signed (TRADE / USER_DATA) request and returns the API key. The signed
 * payload is the query string then the body, each without the `signature` pair, which is what
 * binance signs ("totalParams").
 */
export function authenticate(request: VenueRequest, credentials: CredentialStore, clock: SimClock): string {
  const apiKey = request.headers['x-mbx-apikey'];
  if (apiKey === undefined || apiKey === '') throw new BinanceError(-2014, 'API-key format invalid.', 401);
  const secret = credentials.secretFor(apiKey);
  if (secret === undefined) throw new BinanceError(-2015, 'Invalid API-key, IP, or permissions for action.', 401);
  const query = withoutSignature(request.query);
  const body = withoutSignature(request.text());
  const signature = query.signature ?? body.signature;
  if (signature === undefined) throw new BinanceError(-1102, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.");
  const expected = hmacSha256(secret, query.rest + body.rest, 'hex');
  if (!sameText(expected, signature.toLowerCase())) throw new BinanceError(-1022, 'Signature for this request is not valid.');
  checkTimestamp(allParams(request), clock);
  return apiKey;
}
