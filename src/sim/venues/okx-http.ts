/**
 * OKX v5 REST plumbing: the envelope `{"code":"0","msg":"","data":[…]}`, parameters (query for
 * GET, a JSON object or array for POST), instrument ids (`BTC-USDT`, `BTC-USDT-SWAP`), swap
 * sizes in contracts, and request signing: headers `OK-ACCESS-KEY`, `OK-ACCESS-PASSPHRASE`,
 * `OK-ACCESS-TIMESTAMP` (ISO 8601) and `OK-ACCESS-SIGN` = base64 HMAC-SHA256 of timestamp +
 * method + request path (with `?query` for GET) + body.
 *
 * Authentication failures answer HTTP 401 with okx's 501xx codes; everything else answers
 * HTTP 200 with the code in the body, which is what ccxt maps.
 */
import type { Logger } from '../../base/log.js';
import type { NetResponse } from '../../base/net/index.js';
import type { SimClock } from '../clock.js';
import type { InstrumentSpec, VenueSpec } from '../types.js';
import type { CredentialStore, VenueRequest, VenueRoute } from '../venue.js';
import { clean, guardedRoute, hmacSha256, jsonResponse, sameText, SymbolTable, VenueError } from './wire.js';

/** okx's `code` error (a string, as okx sends it). */
export class OkxError extends VenueError<string> {}

export function okxErrorResponse(error: OkxError): NetResponse {
  return jsonResponse({ code: error.code, data: [], msg: error.message }, error.status, error.headers);
}

/**
 * A route answering `{code: "0", data}`. A handler returning `OkxReply` sets the envelope
 * itself (batch operations answer code 1 or 2 with per-order `sCode`s).
 */
export function okxRoute(host: string, method: string, path: string, logger: Logger, handler: (request: VenueRequest) => unknown): VenueRoute {
  return guardedRoute(host, method, path, logger, {
    ok: (result) => (result instanceof OkxReply ? jsonResponse(result.body) : jsonResponse({ code: '0', data: result, msg: '' })),
    error: (error) => (error instanceof OkxError ? okxErrorResponse(error) : undefined),
    internal: () => okxErrorResponse(new OkxError('50026', 'System error. Try again later.', 500)),
  }, handler);
}

/** A full response body, for answers whose envelope is not the plain success one. */
export class OkxReply {
  constructor(readonly body: Record<string, unknown>) {}
}

export function okxId(spec: InstrumentSpec): string {
  return spec.kind === 'spot' ? `${spec.base}-${spec.quote}` : `${spec.base}-${spec.quote}-SWAP`;
}

export function instTypeOf(spec: InstrumentSpec): 'SPOT' | 'SWAP' {
  return spec.kind === 'spot' ? 'SPOT' : 'SWAP';
}

export class OkxSymbols extends SymbolTable {
  constructor(venue: VenueSpec) {
    super(venue.instruments, okxId);
  }

  /** The instrument of `instId`, or okx's 51001. */
  require(instId: string | undefined): InstrumentSpec {
    const spec = this.get(instId);
    if (!spec) throw new OkxError('51001', `Instrument ID or Spread ID doesn't exist.`);
    return spec;
  }

  /** Instruments of an `instType` (absent: all), optionally one `instId`. */
  select(instType: string | undefined, instId: string | undefined): InstrumentSpec[] {
    if (instId) return [this.require(instId)];
    if (instType !== undefined && instType !== 'SPOT' && instType !== 'SWAP' && instType !== 'FUTURES' && instType !== 'OPTION' && instType !== 'MARGIN') {
      throw new OkxError('51000', 'Parameter instType error');
    }
    return this.all().filter((spec) => instType === undefined || instTypeOf(spec) === instType);
  }
}

/** Base units per contract (1 for spot). */
export const contractSize = (spec: InstrumentSpec): number => (spec.kind === 'spot' ? 1 : (spec.contractSize ?? 1));
/** okx's `lotSz`: the size step in the instrument's own unit (contracts for swaps). */
export const lotSize = (spec: InstrumentSpec): number => clean(spec.stepSize / contractSize(spec));
export const toContracts = (spec: InstrumentSpec, baseQuantity: number): number => clean(baseQuantity / contractSize(spec));
export const toBase = (spec: InstrumentSpec, size: number): number => clean(size * contractSize(spec));

export type OkxParams = Map<string, string>;

function asParams(entry: unknown): OkxParams {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new OkxError('50002', 'JSON syntax error');
  return new Map(Object.entries(entry).filter(([, value]) => value !== null && value !== undefined).map(([key, value]) => [key, String(value)]));
}

/** The query of a GET. */
export function queryOf(request: VenueRequest): OkxParams {
  return new Map(request.params);
}

/** The JSON body of a POST: one object, or (batch endpoints) an array of them. */
export function bodyOf(request: VenueRequest): OkxParams[] {
  let body: unknown;
  try {
    body = JSON.parse(request.text());
  } catch {
    throw new OkxError('50002', 'JSON syntax error');
  }
  return Array.isArray(body) ? body.map(asParams) : [asParams(body)];
}

export function required(params: OkxParams, name: string): string {
  const value = params.get(name);
  if (value === undefined || value === '') throw new OkxError('50014', `Parameter ${name} can not be empty.`);
  return value;
}

const UNAUTHORIZED = 401;
/** okx refuses requests whose timestamp is more than 30 s away from its clock. */
const TIMESTAMP_TOLERANCE_MS = 30_000;

function header(request: VenueRequest, name: string, code: string): string {
  const value = request.headers[name];
  if (!value) throw new OkxError(code, `Request header ${name.toUpperCase()} can not be empty.`, UNAUTHORIZED);
  return value;
}

/** Verifies a signed request and returns its API key. */
export function authenticate(request: VenueRequest, credentials: CredentialStore, clock: SimClock): string {
  const apiKey = header(request, 'ok-access-key', '50103');
  const passphrase = header(request, 'ok-access-passphrase', '50104');
  const signature = header(request, 'ok-access-sign', '50106');
  const timestamp = header(request, 'ok-access-timestamp', '50107');
  const secret = credentials.secretFor(apiKey);
  if (secret === undefined) throw new OkxError('50111', 'Invalid OK-ACCESS-KEY', UNAUTHORIZED);
  const sentMs = Date.parse(timestamp);
  if (!Number.isFinite(sentMs) || !timestamp.includes('T')) throw new OkxError('50112', 'Invalid OK-ACCESS-TIMESTAMP', UNAUTHORIZED);
  if (Math.abs(clock.nowMs() - sentMs) > TIMESTAMP_TOLERANCE_MS) throw new OkxError('50102', 'Timestamp request expired', UNAUTHORIZED);
  const path = request.query === '' ? request.venuePath : `${request.venuePath}?${request.query}`;
  const prehash = `${timestamp}${request.method}${path}${request.method === 'POST' ? request.text() : ''}`;
  if (!sameText(hmacSha256(secret, prehash, 'base64'), signature)) throw new OkxError('50113', 'Invalid Sign', UNAUTHORIZED);
  if (passphrase !== credentials.passphraseFor(apiKey)) throw new OkxError('50105', 'Request header OK-ACCESS-PASSPHRASE incorrect.', UNAUTHORIZED);
  return apiKey;
}
