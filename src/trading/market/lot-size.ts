/**
 * Rounding quantities and prices to what a venue accepts, and one quantity for every leg of a
 * hedge. Venues reject an order whose quantity is not a multiple of the lot step or whose price is
 * off the tick; the rules come from the venue (execution publishes them as `MarketRules`), so
 * strategies size legs with them and execution rounds every order, hedges and unwinds included,
 * before it is journaled.
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
  /** Base units per contract (1 for spot and for venues that size perps in base units); steps above are already in base units. */
  readonly contractSize: number;
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

/** What sizing one leg needs: the venue's quantity rules for the market and the price the leg trades near. */
export interface LegRulesInput {
  /** `SYMBOL@venue`, for the reason when a leg cannot trade. */
  readonly label: string;
  readonly rules: Pick<MarketRules, 'amountStep' | 'minQty' | 'minNotional'>;
  readonly px: number;
}

export type CommonQty = { readonly qty: number; readonly problem?: undefined } | { readonly qty?: undefined; readonly problem: string };

/**
 * One quantity every leg can trade unchanged: `qty` rounded down to the coarsest leg's step,
 * provided that quantity is also on every other leg's step (execution rounds each leg to its own
 * venue: equal after that rounding is the point) and clears every leg's minimum quantity and
 * minimum notional. Otherwise why not, naming the leg.
 *
 * @example commonLegQty(0.16667, [{ label: 'a', rules: { amountStep: 0.001, minQty: 0.001, minNotional: 5 }, px: 100 }, { label: 'b', rules: { amountStep: 0.01, minQty: 0.01, minNotional: 0 }, px: 100 }]) // { qty: 0.16 }
 */
export function commonLegQty(qty: number, legs: readonly LegRulesInput[]): CommonQty {
  let coarsest = legs[0];
  for (const leg of legs) if (coarsest === undefined || leg.rules.amountStep > coarsest.rules.amountStep) coarsest = leg;
  if (!(qty > 0) || coarsest === undefined) return { problem: `nothing to trade (size ${qty})` };
  const rounded = roundToStep(qty, coarsest.rules.amountStep, 'down');
  if (!(rounded > 0)) return { problem: `size ${fmtQty(qty)} rounds to 0 on the lot step ${coarsest.rules.amountStep} of ${coarsest.label}` };
  for (const leg of legs) {
    const { amountStep, minQty, minNotional } = leg.rules;
    if (roundToStep(rounded, amountStep, 'down') !== rounded) return { problem: `no common lot: ${rounded} on ${coarsest.label}'s step ${coarsest.rules.amountStep} is off ${leg.label}'s step ${amountStep}` };
    if (rounded < minQty) return { problem: `size ${rounded} is below ${leg.label}'s minimum quantity ${minQty}` };
    if (rounded * leg.px < minNotional) return { problem: `size ${rounded} × ${leg.px} = ${fmtQty(rounded * leg.px)} is below ${leg.label}'s minimum notional ${minNotional}` };
  }
  return { qty: rounded };
}

const fmtQty = (value: number): string => String(Number(value.toPrecision(6)));
