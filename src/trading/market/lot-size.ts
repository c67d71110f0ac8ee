/**
 * Rounding quantities and prices to what a venue accepts. Venues reject an order whose quantity is
 * not a multiple of the lot step or whose price is off the tick; the multi-leg coordinator sizes
 * hedges and unwinds from notionals, so execution rounds them here before they are journaled.
 *
 * Arithmetic happens in integer steps (`round(qty / step)`), then the result is printed with the
 * step's decimals, so 0.1 + 0.2 style residue never reaches a venue.
 */

export interface MarketRules {
  /** Quantity step (lot size) in base units. */
  readonly amountStep: number;
  readonly priceTick: number;
  readonly minQty: number;
  /** Smallest price × quantity, 0 when the venue has no such rule. */
  readonly minNotional: number;
}

export type RoundMode = 'down' | 'nearest' | 'up';

function decimalsOf(step: number): number {
  if (!(step > 0) || step >= 1) return 0;
  return Math.min(15, Math.max(0, Math.ceil(-Math.log10(step) - 1e-9)));
}

/**
 * `value` as a whole number of `step`s, rounded as asked. Values within 1e-9 steps of a multiple
 * count as that multiple (so 0.3 / 0.1 does not round down to 2).
 *
 * @example roundToStep(0.12345, 0.001, 'down') // 0.123
 */
export function roundToStep(value: number, step: number, mode: RoundMode): number {
  if (!(step > 0)) return value;
  const steps = value / step;
  const nearest = Math.round(steps);
  const whole = Math.abs(steps - nearest) < 1e-9 ? nearest : mode === 'down' ? Math.floor(steps) : mode === 'up' ? Math.ceil(steps) : nearest;
  return Number((whole * step).toFixed(decimalsOf(step)));
}

/**
 * A limit price on the tick, rounded toward the passive side so a collar is never exceeded: a buy's
 * maximum rounds down, a sell's minimum rounds up.
 *
 * @example collarOnTick('buy', 100.567, 0.01) // 100.56
 */
export function collarOnTick(side: 'buy' | 'sell', px: number, tick: number): number {
  return roundToStep(px, tick, side === 'buy' ? 'down' : 'up');
}

/** A market's quantity rules, the part a strategy sizing a hedge needs. */
export type LotRules = Pick<MarketRules, 'amountStep' | 'minQty'>;

/**
 * The step used when config does not give a market's lot: four significant digits, fine enough
 * that rounding costs < 0.1 % of the size, coarse enough to look like a real lot.
 *
 * @example fallbackAmountStep(0.16667) // 0.0001
 */
export function fallbackAmountStep(qty: number): number {
  return qty > 0 ? 10 ** (Math.floor(Math.log10(qty)) - 3) : 0;
}

/**
 * One quantity every leg of a hedge can trade: `qty` rounded down to the coarsest known step (the
 * fallback step when none is known), or 0 below any leg's minimum. Execution rounds each leg to
 * its own venue's step; rounding once to the coarsest keeps the legs equal.
 *
 * @example commonLegQty(0.16667, [{ amountStep: 0.001, minQty: 0.001 }, { amountStep: 0.01, minQty: 0.01 }]) // 0.16
 */
export function commonLegQty(qty: number, lots: readonly (LotRules | undefined)[]): number {
  if (!(qty > 0)) return 0;
  let step = 0;
  let minQty = 0;
  for (const lot of lots) {
    if (!lot) continue;
    step = Math.max(step, lot.amountStep);
    minQty = Math.max(minQty, lot.minQty);
  }
  const rounded = roundToStep(qty, step > 0 ? step : fallbackAmountStep(qty), 'down');
  return rounded > 0 && rounded >= minQty ? rounded : 0;
}
