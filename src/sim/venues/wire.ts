/**
 * Venue-neutral plumbing for venue modules: JSON responses, HMAC signatures compared in
 * constant time, decimal text, a guarded route wrapper (a venue's own error class becomes its
 * error body, anything else its "internal error"), a symbol table keyed by the venue's ids,
 * and time windows for history queries.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../../base/log.js';
import type { NetResponse } from '../../base/net/index.js';
import { decimalsOf, type InstrumentSpec } from '../types.js';
import type { VenueRequest, VenueRoute } from '../venue.js';

const JSON_HEADERS = { 'content-type': 'application/json' } as const;

export function jsonResponse(body: unknown, status = 200, headers: Readonly<Record<string, string>> = {}): NetResponse {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** HMAC-SHA256 of `payload` with `secret`, hex (bybit) or base64 (okx). */
export function hmacSha256(secret: string, payload: string, encoding: 'hex' | 'base64'): string {
  return createHmac('sha256', secret).update(payload).digest(encoding);
}

/** Constant-time string equality (a signature check must not leak how much of it matched). */
export function sameText(expected: string, given: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(given, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** `value` with as many decimals as `step` has (`16493.50` for a 0.01 tick). */
export function fixedText(value: number, step: number): string {
  return value.toFixed(decimalsOf(step));
}

/** `value` at `step` precision without trailing zeros (`31685`, `0.0001`), as okx prints. */
export function trimmedText(value: number, step: number): string {
  const text = fixedText(value, step);
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
}

/** Rounds to 12 significant decimals: contract ↔ base conversions must not leave float dust. */
export function clean(value: number): number {
  return Number(value.toFixed(12));
}

/** A venue's own error: its code and message, and the HTTP status and headers it comes with. */
export class VenueError<Code extends string | number> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    readonly status = 200,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export interface RouteCodec {
  /** The success body of a handler's result. */
  ok(result: unknown): NetResponse;
  /** The venue's error body, when `error` is the venue's own error class. */
  error(error: unknown): NetResponse | undefined;
  /** What the venue answers for an unexpected failure. */
  internal(): NetResponse;
}

/** A route whose handler may throw: the venue's errors become its bodies, bugs its internal error (logged). */
export function guardedRoute(
  host: string,
  method: string,
  path: string,
  logger: Logger,
  codec: RouteCodec,
  handler: (request: VenueRequest) => unknown,
): VenueRoute {
  return {
    host,
    method,
    path,
    handler: (request) => {
      try {
        return codec.ok(handler(request));
      } catch (error) {
        const known = codec.error(error);
        if (known) return known;
        logger.error({ err: error, path: request.venuePath }, 'venue handler failed');
        return codec.internal();
      }
    },
  };
}

/** Instruments by the venue's own key (`linear:BTCUSDT`, `BTC-USDT-SWAP`). */
export class SymbolTable {
  private readonly byKey = new Map<string, InstrumentSpec>();
  private readonly bySymbol = new Map<string, InstrumentSpec>();

  constructor(
    specs: readonly InstrumentSpec[],
    readonly keyOf: (spec: InstrumentSpec) => string,
  ) {
    for (const spec of specs) {
      this.byKey.set(keyOf(spec), spec);
      this.bySymbol.set(spec.symbol, spec);
    }
  }

  get(key: string | null | undefined): InstrumentSpec | undefined {
    return key === null || key === undefined ? undefined : this.byKey.get(key);
  }

  /** The instrument of a unified symbol (always known: the engine only holds listed symbols). */
  ofSymbol(symbol: string): InstrumentSpec {
    const spec = this.bySymbol.get(symbol);
    if (!spec) throw new Error(`unlisted symbol ${symbol}`);
    return spec;
  }

  all(): InstrumentSpec[] {
    return [...this.byKey.values()];
  }
}

/** True when `timeMs` lies in [start, end] (either bound optional). */
export function inTimeWindow(timeMs: number, start: number | undefined, end: number | undefined): boolean {
  return (start === undefined || timeMs >= start) && (end === undefined || timeMs <= end);
}

/** A `limit` parameter clamped to [1, max], or `fallback` when absent or not a number. */
export function clampLimit(raw: string | null, fallback: number, max: number): number {
  const value = raw === null || raw === '' ? Number.NaN : Number(raw);
  return Number.isInteger(value) ? Math.max(1, Math.min(max, value)) : fallback;
}
