/**
 * ccxt unified symbol helpers: `BASE/QUOTE` is spot, `BASE/QUOTE:SETTLE` a linear perp
 * (`BASE/QUOTE:SETTLE-YYMMDD` a dated future, which we treat like a perp for fees and exposure).
 * Every venue adapter emits unified symbols, so trading code never parses venue-native ids.
 */
import { arbiterError } from '../../base/errors.js';

export type MarketKind = 'spot' | 'perp';

export interface SymbolParts {
  readonly base: string;
  readonly quote: string;
  readonly kind: MarketKind;
}

const cache = new Map<string, SymbolParts>();

/**
 * Splits a unified symbol. Throws `INVALID_MESSAGE` for anything that is not `BASE/QUOTE[:SETTLE]`,
 * since a malformed symbol reaching trading code is a bug upstream, not market data to deny.
 *
 * @example symbolParts('BTC/USDT:USDT') // { base: 'BTC', quote: 'USDT', kind: 'perp' }
 */
export function symbolParts(symbol: string): SymbolParts {
  const hit = cache.get(symbol);
  if (hit) return hit;
  const match = /^([^/:]+)\/([^/:]+)(?::(.+))?$/.exec(symbol);
  if (!match) throw arbiterError('INVALID_ARGUMENT', `symbol ${JSON.stringify(symbol)} is not a unified BASE/QUOTE[:SETTLE] symbol`);
  const parts: SymbolParts = Object.freeze({
    base: match[1] as string,
    quote: match[2] as string,
    kind: match[3] === undefined ? 'spot' : 'perp',
  });
  cache.set(symbol, parts);
  return parts;
}

/** `spot` or `perp`. @example marketKindOf('ETH/USDT') // 'spot' */
export function marketKindOf(symbol: string): MarketKind {
  return symbolParts(symbol).kind;
}

/** The underlying asset, the key under which spot and perp exposure net. @example underlyingOf('BTC/USDT:USDT') // 'BTC' */
export function underlyingOf(symbol: string): string {
  return symbolParts(symbol).base;
}

/** The currency a market settles in: a perp's settle (`BTC/USDT:USDT` → USDT, a dated `USDT-250628` too), a spot pair's quote. */
export function settleAssetOf(symbol: string): string {
  const colon = symbol.indexOf(':');
  if (colon < 0) return symbolParts(symbol).quote;
  const settle = symbol.slice(colon + 1);
  const dash = settle.indexOf('-');
  return dash < 0 ? settle : settle.slice(0, dash);
}

/** +1 for buy, -1 for sell: turns an unsigned order quantity into a signed position change. */
export function sideSign(side: 'buy' | 'sell'): 1 | -1 {
  return side === 'buy' ? 1 : -1;
}

/** `venue|symbol`, the key of per-market maps (neither part contains `|`). */
export function marketKey(venue: string, symbol: string): string {
  return `${venue}|${symbol}`;
}

/** Basis points: 1 bp = 1e-4. */
export const BPS = 1e-4;
