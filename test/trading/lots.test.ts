import { describe, expect, it } from 'vitest';
import { commonLegQty, fallbackQtyStep, roundQtyDown } from '../../src/trading/lots.js';

describe('lot sizes', () => {
  it('rounds down to the step without float residue', () => {
    expect(roundQtyDown(0.123456, 0.001)).toBe(0.123);
    expect(roundQtyDown(0.3, 0.1)).toBe(0.3); // 0.3 / 0.1 = 2.9999999999999996 must not lose a step
    expect(roundQtyDown(7.9, 1)).toBe(7);
    expect(roundQtyDown(0.000123456, 0.00001)).toBe(0.00012);
    expect(roundQtyDown(5, 0)).toBe(0);
    expect(roundQtyDown(-1, 0.1)).toBe(0);
  });

  it('falls back to four significant digits', () => {
    expect(fallbackQtyStep(0.16667)).toBeCloseTo(0.0001, 15);
    expect(fallbackQtyStep(123.4)).toBeCloseTo(0.1, 15);
    expect(roundQtyDown(0.16667, fallbackQtyStep(0.16667))).toBe(0.1666);
  });

  it('gives every leg the same quantity on the coarsest step, or 0 below a minimum', () => {
    const fine = { qtyStep: 0.001, minQty: 0.001 };
    const coarse = { qtyStep: 0.01, minQty: 0.01 };
    expect(commonLegQty(0.16667, [fine, coarse])).toBe(0.16);
    expect(commonLegQty(0.16667, [fine, undefined])).toBe(0.166);
    expect(commonLegQty(0.16667, [undefined, undefined])).toBe(0.1666);
    // binanceusdm lists SOL perps in whole coins: 3.4 SOL cannot be hedged below 3.
    expect(commonLegQty(3.4, [{ qtyStep: 1, minQty: 1 }, fine])).toBe(3);
    expect(commonLegQty(0.7, [{ qtyStep: 1, minQty: 1 }, fine])).toBe(0);
    expect(commonLegQty(0.005, [{ qtyStep: 0.001, minQty: 0.01 }])).toBe(0);
  });
});
