/**
 * Order quantities that venues accept: a multiple of the market's quantity step and at least its
 * minimum. Venues reject anything else (binance `LOT_SIZE`), and ccxt silently truncates to the
 * step, which would leave the two legs of a hedge with different sizes. So a hedge rounds once, to
 * the coarsest step of its legs, and sends the same quantity everywhere.
 */

/** A market's quantity rules, in the order's units (base units for linear perps and spot). */
export interface LotSize {
  readonly qtyStep: number;
  readonly minQty: number;
}

function decimalsOf(step: number): number {
  const text = step.toExponential();
  const [mantissa = '', exponent = '0'] = text.split('e');
  const mantissaDecimals = mantissa.split('.')[1]?.length ?? 0;
  return Math.max(0, mantissaDecimals - Number(exponent));
}

/**
 * `qty` rounded down to a multiple of `step` (never up: an order a bit smaller than asked is
 * safe, a bigger one can breach a budget). The result is printed back to the step's decimals, so
 * 0.1 + 0.2 style residue never reaches a venue.
 *
 * @example roundQtyDown(0.123456, 0.001) // 0.123
 */
export function roundQtyDown(qty: number, step: number): number {
  if (!(qty > 0) || !(step > 0)) return 0;
  // The epsilon keeps 0.3 / 0.1 = 2.9999999999999996 from losing a whole step.
  const steps = Math.floor(qty / step + 1e-9);
  return Number((steps * step).toFixed(Math.min(20, decimalsOf(step))));
}

/**
 * The step used when config does not give a market's lot size: four significant digits, fine
 * enough that rounding costs < 0.1 % of the size, coarse enough to look like a real lot.
 *
 * @example fallbackQtyStep(0.16667) // 0.0001
 */
export function fallbackQtyStep(qty: number): number {
  if (!(qty > 0)) return 0;
  return 10 ** (Math.floor(Math.log10(qty)) - 3);
}

/**
 * One quantity every leg can trade: `qty` rounded down to the coarsest known step (or the
 * fallback step when none is known), or 0 when that falls below any leg's minimum.
 *
 * @example commonLegQty(0.16667, [{ qtyStep: 0.001, minQty: 0.001 }, { qtyStep: 0.01, minQty: 0.01 }]) // 0.16
 */
export function commonLegQty(qty: number, lots: readonly (LotSize | undefined)[]): number {
  let step = 0;
  let minQty = 0;
  for (const lot of lots) {
    if (!lot) continue;
    step = Math.max(step, lot.qtyStep);
    minQty = Math.max(minQty, lot.minQty);
  }
  const rounded = roundQtyDown(qty, step > 0 ? step : fallbackQtyStep(qty));
  return rounded >= minQty && rounded > 0 ? rounded : 0;
}
