/**
 * Instrument factories for venue specs: a spot pair and a USDT-margined linear perpetual,
 * with the symbol, kind and settle asset derived the way ccxt names them (`BTC/USDT`,
 * `BTC/USDT:USDT`). Venues pass only what differs: tick, step, limits, depth, funding interval.
 */
import type { FeeSpec, InstrumentSpec } from '../types.js';

export interface MarketLimits {
  readonly tickSize: number;
  readonly stepSize: number;
  /** Default: one step. */
  readonly minQty?: number;
  readonly maxQty: number;
  readonly minNotional: number;
  readonly levelQty: number;
  readonly fees?: FeeSpec;
}

export function spotInstrument(base: string, quote: string, limits: MarketLimits): InstrumentSpec {
  return { symbol: `${base}/${quote}`, base, quote, kind: 'spot', ...limits, minQty: limits.minQty ?? limits.stepSize };
}

export interface PerpTerms extends MarketLimits {
  readonly fundingIntervalHours: number;
  /** Base units per contract where the venue sizes in contracts. */
  readonly contractSize?: number;
}

export function usdtPerp(base: string, terms: PerpTerms): InstrumentSpec {
  return { symbol: `${base}/USDT:USDT`, base, quote: 'USDT', settle: 'USDT', kind: 'perp', ...terms, minQty: terms.minQty ?? terms.stepSize };
}
