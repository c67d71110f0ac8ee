/**
 * Trading fees per venue and market kind, in basis points of notional: execution's fallback
 * table, used for a market whose venue reports no rate for the account (paper, a failed fee
 * request, a venue without the endpoint). Strategies never read it: they price with the rates
 * execution publishes in MarketRules.
 *
 * The defaults are the regular-user (VIP 0, no token discount) schedules the venues publish.
 * ccxt's static `fees` tables in node_modules/ccxt/js/src/<id>.js (4.5.84) agree for binance
 * (spot 10/10, linear 2/5 bps) and okx swap (2/5), but are stale elsewhere (mexc 20/20, bybit
 * 1/7.5, gate spot 20/20, backpack undefined), so they are not used directly. Where a schedule was
 * uncertain we took the higher figure: over-estimating a cost only skips a marginal trade, while
 * under-estimating it makes the strategy trade at a loss. Real accounts have tiers and
 * rebates, so config overrides any entry (`feeSchedule({ okx: { perp: { takerRateBps: 4 } } })`).
 */
import { arbiterError } from '../../base/errors.js';
import { BPS, marketKindOf, type MarketKind } from './symbols.js';

export type Liquidity = 'maker' | 'taker';

export interface FeeRates {
  /** Fee on resting (liquidity-adding) fills; negative is a rebate. */
  readonly makerRateBps: number;
  /** Fee on aggressive (liquidity-taking) fills. */
  readonly takerRateBps: number;
}

export type VenueFees = Readonly<Record<MarketKind, FeeRates>>;
export type FeeSchedule = Readonly<Record<string, VenueFees>>;
/** A partial schedule from config: any venue, kind or rate may be left out. */
export type FeeOverrides = Readonly<Record<string, Partial<Record<MarketKind, Partial<FeeRates>>>>>;

const rates = (makerRateBps: number, takerRateBps: number): FeeRates => ({ makerRateBps, takerRateBps });

/** Published VIP-0 schedules (ccxt venue ids). `binanceusdm` lists perps only; its spot entry mirrors binance. */
export const DEFAULT_FEE_SCHEDULE: FeeSchedule = Object.freeze({
  binance: { spot: rates(10, 10), perp: rates(2, 5) },
  binanceusdm: { spot: rates(10, 10), perp: rates(2, 5) },
  bybit: { spot: rates(10, 10), perp: rates(2, 5.5) },
  okx: { spot: rates(8, 10), perp: rates(2, 5) },
  bitget: { spot: rates(10, 10), perp: rates(2, 6) },
  gate: { spot: rates(20, 20), perp: rates(2, 5) },
  mexc: { spot: rates(0, 5), perp: rates(0, 2) },
  backpack: { spot: rates(8, 10), perp: rates(2, 5) },
});

/** Used for a venue the schedule does not list: deliberately expensive, so an unknown venue never looks cheap. */
export const FALLBACK_FEES: VenueFees = Object.freeze({ spot: rates(20, 20), perp: rates(5, 10) });

function checkRate(value: unknown, path: string): void {
  // Rebates exist (negative maker), but a fee beyond ±1% is a config typo (percent entered as bps).
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > 100) {
    throw arbiterError('CONFIG_INVALID', `${path} must be a number of bps within ±100, got ${String(value)}`);
  }
}

/**
 * The default schedule with config overrides merged in, validated.
 *
 * @example feeSchedule({ bybit: { perp: { takerRateBps: 4 } } }).bybit.perp // { makerRateBps: 2, takerRateBps: 4 }
 */
export function feeSchedule(overrides: FeeOverrides = {}, base: FeeSchedule = DEFAULT_FEE_SCHEDULE): FeeSchedule {
  const merged: Record<string, VenueFees> = { ...base };
  for (const [venue, kinds] of Object.entries(overrides)) {
    const current = merged[venue] ?? FALLBACK_FEES;
    const next = { spot: { ...current.spot, ...kinds.spot }, perp: { ...current.perp, ...kinds.perp } };
    for (const kind of ['spot', 'perp'] as const) {
      checkRate(next[kind].makerRateBps, `fees.${venue}.${kind}.makerRateBps`);
      checkRate(next[kind].takerRateBps, `fees.${venue}.${kind}.takerRateBps`);
    }
    merged[venue] = Object.freeze(next);
  }
  return Object.freeze(merged);
}

/** The maker/taker rates for a market. @example feeRates(DEFAULT_FEE_SCHEDULE, 'okx', 'BTC/USDT:USDT').takerRateBps // 5 */
export function feeRates(schedule: FeeSchedule, venue: string, symbol: string): FeeRates {
  return (schedule[venue] ?? FALLBACK_FEES)[marketKindOf(symbol)];
}

/**
 * Fee of a fill in quote currency (positive = paid, negative = rebate received).
 *
 * @example fillFee(0.5, 60_000, 5) // 15 (0.5 BTC × 60 000 × 5 bps)
 */
export function fillFee(qty: number, px: number, rateBps: number): number {
  return Math.abs(qty) * px * rateBps * BPS;
}
