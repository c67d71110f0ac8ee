import { describe, expect, it } from 'vitest';
import { commonLegQty, fallbackAmountStep, roundToStep } from '../../src/trading/market/lot-size.js';

describe('one quantity for every leg of a hedge', () => {
  it('falls back to four significant digits when no lot is configured', () => {
    expect(fallbackAmountStep(0.16667)).toBeCloseTo(0.0001, 15);
    expect(fallbackAmountStep(123.4)).toBeCloseTo(0.1, 15);
    expect(fallbackAmountStep(0)).toBe(0);
    expect(roundToStep(0.16667, fallbackAmountStep(0.16667), 'down')).toBe(0.1666);
  });

  it('rounds down to the coarsest step of the legs, or gives 0 below a minimum', () => {
    const fine = { amountStep: 0.001, minQty: 0.001 };
    const coarse = { amountStep: 0.01, minQty: 0.01 };
    expect(commonLegQty(0.16667, [fine, coarse])).toBe(0.16);
    expect(commonLegQty(0.16667, [fine, undefined])).toBe(0.166);
    expect(commonLegQty(0.16667, [undefined, undefined])).toBe(0.1666);
    expect(commonLegQty(0.3, [{ amountStep: 0.1, minQty: 0 }])).toBe(0.3); // 0.3 / 0.1 must not lose a step
    // binanceusdm lists SOL perps in whole coins: 3.4 SOL cannot be hedged below 3.
    expect(commonLegQty(3.4, [{ amountStep: 1, minQty: 1 }, fine])).toBe(3);
    expect(commonLegQty(0.7, [{ amountStep: 1, minQty: 1 }, fine])).toBe(0);
    expect(commonLegQty(0.005, [{ amountStep: 0.001, minQty: 0.01 }])).toBe(0);
    expect(commonLegQty(-1, [fine])).toBe(0);
  });
});
